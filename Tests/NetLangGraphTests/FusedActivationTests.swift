// FusedActivationTests: a dense layer's activation applied by the dense kernel as it finishes
// (ExecutionPlan.fusedActivations) gives the bits of the standalone activation node, on one
// thread and on two, and is not fused where it would write over the dense layer's input.

import NetLangTensor
import Testing

@testable import NetLangGraph

@Suite("dense activations fused into the dense kernel") struct FusedActivationTests {
  /// x[300] → dense 200 → `activation`, and relu of a second input y; `fused` puts the
  /// activation right after the dense node (fusable), else after y's relu (not adjacent).
  func graph(_ activation: Op, fused: Bool) throws -> (Graph, NodeID) {
    var builder = GraphBuilder()
    let x = builder.input("x", shape: [300])
    let y = builder.input("y", shape: [50])
    let h = try builder.dense(x, units: 200, name: "fc")
    let out: NodeID
    if fused {
      out = try builder.append(activation, [h])
      _ = try builder.append(.relu, [y])
    } else {
      _ = try builder.append(.relu, [y])
      out = try builder.append(activation, [h])
    }
    builder.setOutput("out", out)
    return (builder.graph, out)
  }

  func run(_ activation: Op, fused: Bool, pool: WorkerPool?) throws -> (Executor, [Float]) {
    let (graph, out) = try graph(activation, fused: fused)
    let executor = Executor(graph: graph, maxBatch: 96, pool: pool)
    var random = Random(seed: 9)
    executor.initializeParameters(random: &random)
    try executor.setInput("x", (0..<96 * 300).map { _ in Float(random.uniform(-3, 3)) })
    try executor.setInput("y", (0..<96 * 50).map { _ in Float(random.uniform(-1, 1)) })
    try executor.forward(training: false)
    return (executor, Array(executor.value(of: out)))
  }

  @Test(
    "the fused activation has the standalone node's bits",
    arguments: [Op.relu, .leakyRelu(slope: 0.2), .sigmoid, .tanh])
  func sameBits(activation: Op) throws {
    let (plain, expected) = try run(activation, fused: false, pool: nil)
    #expect(plain.plan.fusedActivation.isEmpty)
    #expect(Set(expected).count > 100)
    for pool in [nil, WorkerPool(threads: 2)] {
      let (executor, values) = try run(activation, fused: true, pool: pool)
      #expect(executor.plan.fusedActivation.count == 1)
      #expect(values.map(\.bitPattern) == expected.map(\.bitPattern))
    }
  }

  @Test("no fusion when the activation's buffer is one the dense node reads")
  func sharedSlot() throws {
    let (graph, _) = try graph(.tanh, fused: true)
    let plan = ExecutionPlan(graph: graph, maxBatch: 8)
    #expect(plan.fusedActivation.count == 1)
    for (dense, activation) in plan.fusedActivation {
      var slots = plan.slots
      slots[activation] = slots[graph.nodes[dense].inputs[0].rawValue]
      #expect(ExecutionPlan.fusedActivations(graph, forward: plan.forward, slots: slots).isEmpty)
    }
  }
}
