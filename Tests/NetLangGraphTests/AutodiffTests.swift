// AutodiffTests: composite expressions (micrograd style), fan-out accumulation, broadcast
// gradients reduced to the input's shape, and errors for graphs that cannot be differentiated.

import NetLangTensor
import Testing

@testable import NetLangGraph

/// Gradients of the scalar `loss` node built by `build` with respect to each input, at `values`.
func inputGradients(
  batch: Int, inputs: [(String, Shape, [Float])],
  build: (inout GraphBuilder, [NodeID]) throws -> NodeID
) throws -> [[Float]] {
  var builder = GraphBuilder()
  let ids = inputs.map { builder.input($0.0, shape: $0.1) }
  let loss = try build(&builder, ids)
  var graph = builder.graph
  let gradients = try Autodiff.appendBackward(to: &graph, loss: loss, withRespectTo: ids)
  #expect(GraphVerifier.verify(graph).isEmpty)
  let executor = Executor(graph: graph, maxBatch: batch, keep: Array(gradients.values))
  for (name, _, values) in inputs { try executor.setInput(name, values) }
  try executor.forward(training: true)
  try executor.backward()
  return ids.map { id in gradients[id].map { Array(executor.value(of: $0)) } ?? [] }
}

@Test("a value used twice receives the sum of both gradients")
func fanOutAccumulates() throws {
  // L = Σ (x·x + x) → dL/dx = 2x + 1
  let g = try inputGradients(batch: 1, inputs: [("x", [3], [1, -2, 0.5])]) { b, x in
    let square = try b.append(.multiply, [x[0], x[0]])
    let sum = try b.append(.add, [square, x[0]])
    return try b.append(.sumTo, [sum], declared: ValueType([], batched: false))
  }
  #expect(g[0] == [3, -3, 2])
}

@Test("micrograd-style composite expression matches the hand derivative")
func compositeExpression() throws {
  // L = Σ tanh(a·b + a) / b, per element: dL/da = (1−t²)(b+1)/b, dL/db = ((1−t²)a·b − t)/b²
  let a: [Float] = [0.5, -1], bValues: [Float] = [2, 0.5]
  let g = try inputGradients(batch: 1, inputs: [("a", [2], a), ("b", [2], bValues)]) { b, x in
    let product = try b.append(.multiply, [x[0], x[1]])
    let t = try b.append(.tanh, [try b.append(.add, [product, x[0]])])
    let q = try b.append(.divide, [t, x[1]])
    return try b.append(.sumTo, [q], declared: ValueType([], batched: false))
  }
  for i in 0..<2 {
    let t = Float(tanhDouble(Double(a[i] * bValues[i] + a[i])))
    let da = (1 - t * t) * (bValues[i] + 1) / bValues[i]
    let db = ((1 - t * t) * a[i] * bValues[i] - t) / (bValues[i] * bValues[i])
    #expect(abs(g[0][i] - da) < 1e-5)
    #expect(abs(g[1][i] - db) < 1e-5)
  }
}

@Test("a broadcast operand's gradient is summed back to its own shape")
func broadcastGradientShape() throws {
  // L = Σ (x + b) over a [2, 3] batch of 2; b [3] receives 2·2 = 4 per element
  let g = try inputGradients(
    batch: 2,
    inputs: [("x", [2, 3], [Float](repeating: 1, count: 12)), ("b", [3], [0, 0, 0, 0, 0, 0])]
  ) { b, x in
    let bias = try b.append(.sumTo, [x[1]], declared: ValueType([3], batched: false))
    let sum = try b.append(.add, [x[0], bias])
    return try b.append(.sumTo, [sum], declared: ValueType([], batched: false))
  }
  #expect(g[0] == [Float](repeating: 1, count: 12))
  #expect(g[1] == [Float](repeating: 4, count: 6))
}

@Test("parameter gradients are recorded and have the parameter's shape")
func parameterGradients() throws {
  var builder = GraphBuilder()
  let x = builder.input("x", shape: [3])
  let t = builder.input("t", shape: [2])
  let h = try builder.append(.relu, [try builder.dense(x, units: 4, name: "fc1")])
  let y = try builder.dense(h, units: 2, name: "fc2")
  let loss = try builder.append(.mseLoss, [y, t])
  var graph = builder.graph
  try Autodiff.appendBackward(to: &graph, loss: loss)
  #expect(graph.parameterGradients.count == 4)
  for (p, g) in graph.parameterGradients {
    #expect(graph[g].shape == graph[p].shape)
    #expect(!graph[g].batched)
  }
  #expect(GraphVerifier.verify(graph).isEmpty)
}

@Test("every backward node records the forward node whose gradient rule made it")
func backwardOrigins() throws {
  var builder = GraphBuilder()
  let x = builder.input("x", shape: [3])
  let t = builder.input("t", shape: [2])
  let hidden = try builder.dense(x, units: 4, name: "fc1")
  let h = try builder.append(.relu, [hidden])
  let y = try builder.dense(h, units: 2, name: "fc2")
  let loss = try builder.append(.mseLoss, [y, t])
  var graph = builder.graph
  try Autodiff.appendBackward(to: &graph, loss: loss)
  let start = try #require(graph.backwardStart)
  // Every node from the backward start on has an origin in the forward pass (the seed
  // constant 1 has none: no rule made it).
  for i in (start.rawValue + 1)..<graph.nodes.count {
    let origin = try #require(graph.backwardOrigin[NodeID(i)], "node \(i)")
    #expect(origin < start)
  }
  func origins(of op: Op) -> [NodeID] {
    graph.nodeIDs.filter { graph[$0].op == op }.compactMap { graph.backwardOrigin[$0] }
  }
  #expect(origins(of: .reluGrad) == [h])
  #expect(origins(of: .mseLossGrad) == [loss])
  // fc2's weight and input gradients come from the fc2 call, fc1's weight gradient from fc1.
  #expect(Set(origins(of: .denseWeightGrad).map { graph[$0].op }) == [.dense])
  #expect(origins(of: .denseInputGrad) == [y])
  #expect(Set(origins(of: .denseWeightGrad)) == [y, hidden])
}

@Test("differentiating a non-scalar or a backward-only op is an error, not a trap")
func autodiffErrors() throws {
  var builder = GraphBuilder()
  let x = builder.input("x", shape: [3])
  let y = try builder.append(.relu, [x])
  var graph = builder.graph
  #expect(throws: GraphError.lossNotScalar(y)) { try Autodiff.appendBackward(to: &graph, loss: y) }
  let g = try builder.append(.reluGrad, [x, y])
  let s = try builder.append(.sumTo, [g], declared: ValueType([], batched: false))
  graph = builder.graph
  #expect(throws: GraphError.notDifferentiable(node: g, op: "reluGrad")) {
    try Autodiff.appendBackward(to: &graph, loss: s, withRespectTo: [x])
  }
}

@Test("bce on a sigmoid output is computed from its logits and agrees with plain bce")
func bceFusesSigmoid() throws {
  var b = GraphBuilder()
  let z = b.input("z", shape: [2])
  let t = b.input("t", shape: [2])
  let p = try b.append(.sigmoid, [z])
  let fused = try b.bce(p, t)
  let plain = try b.append(.bceLoss, [p, t])
  #expect(b.graph[fused].op == .bceWithLogitsLoss)
  #expect(b.graph[fused].inputs == [z, t])
  let executor = Executor(graph: b.graph, maxBatch: 2)
  try executor.setInput("z", [0.3, -1.2, 2, 0.1])
  try executor.setInput("t", [1, 0, 0, 1])
  try executor.forward(training: false)
  #expect(abs(executor.value(of: fused)[0] - executor.value(of: plain)[0]) < 1e-5)
}
