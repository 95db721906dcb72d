// RecurrentFixtureTests: rnn, lstm and gru outputs and BPTT gradients against PyTorch
// (fixtures made by Tests/Tools/recurrent_fixtures.py).

import NetLangTensor
import Testing

@testable import NetLangGraph

@Test(
  "recurrent layers match PyTorch outputs and gradients",
  arguments: [("rnn", Op.rnn), ("lstm", Op.lstm), ("gru", Op.gru)])
func recurrentMatchesPyTorch(_ name: String, _ op: Op) throws {
  let fixture =
    switch op {
    case .rnn: RecurrentFixtures.rnn
    case .lstm: RecurrentFixtures.lstm
    default: RecurrentFixtures.gru
    }
  let f = RecurrentFixtures.self
  var b = GraphBuilder()
  let x = b.input("x", shape: [f.steps, f.inputs])
  let r = b.input("r", shape: [f.steps, f.hidden])
  let h = try b.recurrent(op, x, units: f.hidden, name: name)
  let weighted = try b.append(.multiply, [h, r])
  let loss = try b.append(.sumTo, [weighted], declared: ValueType([], batched: false))
  var graph = b.graph
  let gradients = try Autodiff.appendBackward(to: &graph, loss: loss, withRespectTo: [x])
  let dx = try #require(gradients[x])
  let executor = Executor(graph: graph, maxBatch: f.batch, keep: [h, dx])
  let parameters: [(String, [Float])] = [
    ("weight_ih_l0", fixture.weightIH), ("weight_hh_l0", fixture.weightHH),
    ("bias_ih_l0", fixture.biasIH), ("bias_hh_l0", fixture.biasHH),
  ]
  for (suffix, values) in parameters {
    let buffer = try #require(executor.parameterValue(named: "\(name).\(suffix)"))
    try #require(buffer.count == values.count)
    for i in values.indices { buffer[i] = values[i] }
  }
  try executor.setInput("x", fixture.x)
  try executor.setInput("r", fixture.r)
  try executor.forward(training: true)
  try executor.backward()
  #expect(close(Array(executor.value(of: h)), fixture.h, tolerance: 1e-5))
  #expect(close(Array(executor.value(of: dx)), fixture.dx, tolerance: 1e-4))
  let expected: [(String, [Float])] = [
    ("weight_ih_l0", fixture.dWeightIH), ("weight_hh_l0", fixture.dWeightHH),
    ("bias_ih_l0", fixture.dBiasIH), ("bias_hh_l0", fixture.dBiasHH),
  ]
  for (suffix, values) in expected {
    let gradient = try #require(executor.parameterGradient(named: "\(name).\(suffix)"))
    #expect(close(Array(gradient), values, tolerance: 1e-4), "\(name).\(suffix)")
  }
}
