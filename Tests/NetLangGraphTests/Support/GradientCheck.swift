// GradientCheck: central-difference checks of the graph's analytic gradients. The checked
// loss is Σ(op(inputs) ⊙ R) with a fixed random R, so every output element gets its own weight.

import NetLangTensor
import Testing

@testable import NetLangGraph

/// A fed input of a gradient case: name, per-example shape, values for the whole batch.
struct FedInput {
  var name: String
  var shape: Shape
  var values: [Float]
  /// False for labels and ids, which get no gradient.
  var differentiable = true
}

/// Values in ±[0.1, 1] (away from the relu kink at 0), from a fixed seed.
func awayFromZero(_ count: Int, seed: UInt64) -> [Float] {
  var random = Random(seed: seed)
  return (0..<count).map { _ in
    let magnitude = Float(random.uniform(0.1, 1))
    return random.nextDouble() < 0.5 ? -magnitude : magnitude
  }
}

/// Values uniform in [low, high).
func uniformValues(_ count: Int, _ low: Double, _ high: Double, seed: UInt64) -> [Float] {
  var random = Random(seed: seed)
  return (0..<count).map { _ in Float(random.uniform(low, high)) }
}

struct GradientReport {
  /// (what, index, analytic, numeric) of every element outside tolerance.
  var failures: [(String, Int, Float, Float)] = []
  /// Number of gradient elements compared.
  var compared = 0
}

/// Builds `op(inputs)` with `build`, appends loss = Σ(out ⊙ R) and its backward pass, and
/// compares every differentiable input's and trainable parameter's gradient with central
/// differences (h = 1e-2, tolerance 1e-2 relative + 1e-3 absolute by default).
func gradientCheck(
  batch: Int, inputs: [FedInput], seed: UInt64 = 1, h: Float = 1e-2, tolerance: Float = 1e-2,
  build: (inout GraphBuilder, [NodeID]) throws -> NodeID
) throws -> GradientReport {
  var builder = GraphBuilder()
  let ids = inputs.map { builder.input($0.name, shape: $0.shape) }
  let output = try build(&builder, ids)
  let node = builder.graph[output]
  let weights = builder.input("R", shape: node.shape)
  var weighted = output
  if node.batched {
    weighted = try builder.append(.multiply, [output, weights])
  } else {
    let broadcastWeights = try builder.append(
      .sumTo, [weights], declared: ValueType(node.shape, batched: false))
    weighted = try builder.append(.multiply, [output, broadcastWeights])
  }
  let loss = try builder.append(.sumTo, [weighted], declared: ValueType([], batched: false))
  builder.setOutput("loss", loss)
  var graph = builder.graph
  let differentiable = zip(inputs, ids).filter { $0.0.differentiable }.map(\.1)
  let inputGradients = try Autodiff.appendBackward(
    to: &graph, loss: loss, withRespectTo: differentiable)
  #expect(GraphVerifier.verify(graph).isEmpty, "\(GraphVerifier.verify(graph).map(\.message))")

  let executor = Executor(graph: graph, maxBatch: batch, keep: Array(inputGradients.values))
  var random = Random(seed: seed)
  executor.initializeParameters(random: &random)
  for input in inputs { try executor.setInput(input.name, input.values) }
  try executor.setInput("R", uniformValues(node.shape.elementCount * batch, -1, 1, seed: seed + 7))

  func lossValue() throws -> Float {
    executor.random = Random(seed: 99)
    try executor.forward(training: true)
    return executor.value(of: loss)[0]
  }
  _ = try lossValue()
  try executor.backward()

  var report = GradientReport()
  func compare(_ what: String, _ analytic: [Float], _ values: UnsafeMutableBufferPointer<Float>)
    throws
  {
    for i in 0..<values.count {
      let saved = values[i]
      values[i] = saved + h
      let plus = try lossValue()
      values[i] = saved - h
      let minus = try lossValue()
      values[i] = saved
      let numeric = (plus - minus) / (2 * h)
      report.compared += 1
      if abs(numeric - analytic[i]) > tolerance * max(abs(numeric), abs(analytic[i])) + 1e-3 {
        report.failures.append((what, i, analytic[i], numeric))
      }
    }
  }
  for (input, id) in zip(inputs, ids) where input.differentiable {
    guard let g = inputGradients[id] else {
      report.failures.append((input.name + " (no gradient)", 0, 0, 0))
      continue
    }
    let analytic = Array(executor.value(of: g))
    try compare(input.name, analytic, try executor.inputBuffer(input.name))
  }
  for (p, parameter) in graph.parameters.enumerated() where parameter.trainable {
    guard let g = executor.parameterGradient(ParameterID(p)) else {
      report.failures.append((parameter.name + " (no gradient)", 0, 0, 0))
      continue
    }
    let analytic = Array(g)
    try compare(parameter.name, analytic, executor.parameterValue(ParameterID(p)))
  }
  return report
}
