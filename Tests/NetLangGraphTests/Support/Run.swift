// Run: helpers that build a small graph, feed it, and read a node's value.

import NetLangTensor
import Testing

@testable import NetLangGraph

/// Runs the forward pass of `build` on `inputs` (name, per-example shape, values) with batch
/// `batch`, and returns the values of the node `build` returns.
func forwardValues(
  batch: Int, inputs: [(String, Shape, [Float])], training: Bool = false,
  parameters: [String: [Float]] = [:],
  build: (inout GraphBuilder, [NodeID]) throws -> NodeID
) throws -> [Float] {
  var builder = GraphBuilder()
  let ids = inputs.map { builder.input($0.0, shape: $0.1) }
  let output = try build(&builder, ids)
  let executor = Executor(graph: builder.graph, maxBatch: batch)
  for (name, values) in parameters {
    guard let buffer = executor.parameterValue(named: name) else {
      Issue.record("no parameter \(name)")
      continue
    }
    #expect(buffer.count == values.count)
    for i in 0..<min(buffer.count, values.count) { buffer[i] = values[i] }
  }
  for (name, _, values) in inputs { try executor.setInput(name, values) }
  try executor.forward(training: training)
  return Array(executor.value(of: output))
}

/// True when every pair differs by at most `tolerance`.
func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}

#if canImport(Glibc)
  import Glibc
#endif

/// libm tanh in Double, an independent reference for Float kernels.
func tanhDouble(_ x: Double) -> Double { tanh(x) }
