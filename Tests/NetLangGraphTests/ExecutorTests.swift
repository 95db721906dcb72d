// ExecutorTests: buffers allocated once and reused, determinism, NaN/Inf reporting by node,
// partial forward passes, smaller batches, and a tiny end-to-end training run.

import NetLangTensor
import Testing

@testable import NetLangGraph

/// An MLP 2 → 8 → 2 with dropout and cross entropy, with its backward pass.
func classifierGraph() throws -> Graph {
  var b = GraphBuilder()
  let x = b.input("x", shape: [2])
  let label = b.input("label", shape: [])
  let h = try b.append(.tanh, [try b.dense(x, units: 8, name: "fc1")])
  let dropped = try b.append(.dropout(rate: 0.1), [h])
  let logits = try b.dense(dropped, units: 2, name: "fc2")
  let loss = try b.append(.softmaxCrossEntropy, [logits, label])
  let accuracy = try b.append(.accuracy, [logits, label])
  b.setOutput("logits", logits)
  b.setOutput("loss", loss)
  b.setOutput("accuracy", accuracy)
  var graph = b.graph
  try Autodiff.appendBackward(to: &graph, loss: loss)
  return graph
}

let xorInputs: [Float] = [0, 0, 0, 1, 1, 0, 1, 1]
let xorLabels: [Float] = [0, 1, 1, 0]

/// Plain SGD steps on XOR; returns the loss after each step.
func trainXOR(_ executor: Executor, steps: Int, learningRate: Float = 0.5) throws -> [Float] {
  var losses: [Float] = []
  for _ in 0..<steps {
    try executor.setInput("x", xorInputs)
    try executor.setInput("label", xorLabels)
    try executor.forward(training: true)
    try executor.backward()
    for p in executor.graph.parameters.indices {
      let id = ParameterID(p)
      guard let g = executor.parameterGradient(id) else { continue }
      let w = executor.parameterValue(id)
      for i in 0..<w.count { w[i] -= learningRate * g[i] }
    }
    losses.append(executor.scalar("loss") ?? .nan)
  }
  return losses
}

@Test("training steps reuse the same buffers: no allocation after init")
func buffersAreReused() throws {
  let executor = Executor(graph: try classifierGraph(), maxBatch: 4)
  var random = Random(seed: 1)
  executor.initializeParameters(random: &random)
  let allocations = executor.allocationCount
  let before = executor.values.map(\.pointer)
  _ = try trainXOR(executor, steps: 5)
  try executor.setBatchSize(2)
  try executor.setInput("x", [0, 0, 1, 1])
  try executor.setInput("label", [0, 0])
  try executor.forward(training: false)
  #expect(executor.allocationCount == allocations)
  #expect(executor.values.map(\.pointer) == before)
}

@Test("the same seeds give bit-identical losses and weights")
func determinism() throws {
  func run() throws -> ([Float], [Float]) {
    let executor = Executor(graph: try classifierGraph(), maxBatch: 4, dropoutSeed: 7)
    var random = Random(seed: 42)
    executor.initializeParameters(random: &random)
    let losses = try trainXOR(executor, steps: 20)
    return (
      losses, Array(executor.parameterValue(named: "fc1.weight") ?? .init(start: nil, count: 0))
    )
  }
  let first = try run(), second = try run()
  #expect(first.0.map(\.bitPattern) == second.0.map(\.bitPattern))
  #expect(first.1.map(\.bitPattern) == second.1.map(\.bitPattern))
  #expect(!first.1.isEmpty)
}

@Test("a small MLP learns XOR")
func learnsXOR() throws {
  var b = GraphBuilder()
  let x = b.input("x", shape: [2])
  let t = b.input("label", shape: [])
  let h = try b.append(.tanh, [try b.dense(x, units: 8, name: "fc1")])
  let logits = try b.dense(h, units: 2, name: "fc2")
  let loss = try b.append(.softmaxCrossEntropy, [logits, t])
  b.setOutput("loss", loss)
  b.setOutput("accuracy", try b.append(.accuracy, [logits, t]))
  var graph = b.graph
  try Autodiff.appendBackward(to: &graph, loss: loss)
  let executor = Executor(graph: graph, maxBatch: 4)
  var random = Random(seed: 3)
  executor.initializeParameters(random: &random)
  let losses = try trainXOR(executor, steps: 300)
  #expect((losses.last ?? 1) < 0.05)
  try executor.forward(training: false)
  #expect(executor.scalar("accuracy") == 1)
}

@Test("the first node producing NaN or infinity is reported")
func nonFiniteIsReported() throws {
  var b = GraphBuilder()
  let x = b.input("x", shape: [2])
  let y = b.input("y", shape: [2])
  let q = try b.append(.divide, [x, y])
  let r = try b.append(.relu, [q])
  b.setOutput("r", r)
  let executor = Executor(graph: b.graph, maxBatch: 1)
  executor.checksFinite = true
  try executor.setInput("x", [1, 2])
  try executor.setInput("y", [1, 0])
  #expect(throws: ExecutionError.nonFinite(node: q)) { try executor.forward(training: false) }
  executor.checksFinite = false
  try executor.forward(training: false)
  #expect(executor.output("r")?[1] == .infinity)
}

@Test("a partial forward pass computes logits without touching the loss")
func partialForward() throws {
  let graph = try classifierGraph()
  let executor = Executor(graph: graph, maxBatch: 4)
  var random = Random(seed: 1)
  executor.initializeParameters(random: &random)
  try executor.setInput("x", xorInputs)
  try executor.setInput("label", [9, 9, 9, 9])  // invalid labels: the loss must not run
  guard let logits = graph.output("logits") else { throw GraphError.invalidInput(NodeID(-1)) }
  try executor.forward(training: false, computing: [logits])
  let partial = Array(executor.value(of: logits))
  try executor.setInput("label", xorLabels)
  try executor.forward(training: false)
  #expect(Array(executor.value(of: logits)) == partial)
}

@Test("inputs of the wrong size and too-large batches are errors")
func inputErrors() throws {
  let executor = Executor(graph: try classifierGraph(), maxBatch: 4)
  #expect(throws: ExecutionError.inputSize(name: "x", expected: 8, got: 3)) {
    try executor.setInput("x", [1, 2, 3])
  }
  #expect(throws: ExecutionError.unknownInput("nope")) { try executor.setInput("nope", [1]) }
  #expect(throws: ExecutionError.batchTooLarge(requested: 5, capacity: 4)) {
    try executor.setBatchSize(5)
  }
}

@Test("buffer reuse by liveness shrinks memory and leaves results bit-identical")
func bufferReuseKeepsResults() throws {
  func run(reuse: Bool) throws -> (Int, [UInt32]) {
    var b = GraphBuilder()
    let x = b.input("x", shape: [1, 6, 6])
    let t = b.input("label", shape: [])
    let c = try b.append(
      .relu, [try b.conv2d(x, filters: 2, window: Window2D(kernel: (3, 3)), name: "c")])
    let p = try b.append(.maxPool(Window2D(kernel: (2, 2), stride: (2, 2))), [c])
    let h = try b.append(.tanh, [try b.dense(try b.reshape(p, to: [8]), units: 8, name: "fc1")])
    let h2 = try b.append(.sigmoid, [try b.dense(h, units: 8, name: "fc2")])
    let logits = try b.dense(try b.append(.add, [h, h2]), units: 3, name: "out")
    let loss = try b.append(.softmaxCrossEntropy, [logits, t])
    b.setOutput("loss", loss)
    var graph = b.graph
    try Autodiff.appendBackward(to: &graph, loss: loss)
    let executor = Executor(graph: graph, maxBatch: 2, reuseBuffers: reuse)
    var random = Random(seed: 5)
    executor.initializeParameters(random: &random)
    try executor.setInput("x", awayFromZero(72, seed: 6))
    try executor.setInput("label", [2, 0])
    try executor.forward(training: true)
    try executor.backward()
    var bits = [executor.scalar("loss") ?? .nan]
    for p in graph.parameters.indices {
      bits += Array(executor.parameterGradient(ParameterID(p)) ?? .init(start: nil, count: 0))
    }
    return (executor.plan.floatCount, bits.map(\.bitPattern))
  }
  let shared = try run(reuse: true), separate = try run(reuse: false)
  #expect(shared.1 == separate.1)
  #expect(shared.0 < separate.0)
}
