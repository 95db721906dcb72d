// ParallelExecutorTests: a forward and backward pass with a 2-thread pool gives the same bits
// as on one thread, for every elementwise op the executor splits across the pool and for a
// dense layer's two gradients run side by side (ExecutionPlan.concurrentPairs), which big
// models give up for updates in the backward pass.

import NetLangTensor
import Testing

@testable import NetLangGraph

@Suite("executor on a worker pool") struct ParallelExecutorTests {
  /// Loss and input gradient of a chain of the split ops on a batch big enough to split.
  func run(pool: WorkerPool?, loss lossOp: Op) throws -> (Float, [Float]) {
    let batch = 64
    let features = 2048
    var builder = GraphBuilder()
    let x = builder.input("x", shape: [features])
    let target = builder.input("t", shape: [features])
    var h = try builder.append(.relu, [x])
    h = try builder.append(.scale(0.5), [h])
    h = try builder.append(.leakyRelu(slope: 0.1), [builder.append(.subtract, [h, target])])
    h = try builder.append(.tanh, [h])
    h = try builder.append(.softmax, [h])
    h = try builder.append(.reshape, [h], declared: ValueType([features], batched: true))
    let logits = try builder.append(.scale(100), [h])
    let output = lossOp == .bceLoss ? try builder.append(.sigmoid, [logits]) : logits
    let loss = try builder.append(lossOp, [output, target])
    var graph = builder.graph
    let gradients = try Autodiff.appendBackward(to: &graph, loss: loss, withRespectTo: [x])
    let executor = Executor(graph: graph, maxBatch: batch, pool: pool, keep: [gradients[x]!])
    var random = Random(seed: 11)
    try executor.setInput("x", (0..<batch * features).map { _ in Float(random.uniform(-2, 2)) })
    try executor.setInput("t", (0..<batch * features).map { _ in Float(random.uniform(0, 1)) })
    try executor.forward(training: true)
    try executor.backward()
    return (executor.value(of: loss)[0], Array(executor.value(of: gradients[x]!)))
  }

  @Test(
    "2 threads and 1 thread agree bit for bit",
    arguments: [Op.mseLoss, .bceLoss, .bceWithLogitsLoss])
  func sameBits(loss: Op) throws {
    let (serialLoss, serialGradient) = try run(pool: nil, loss: loss)
    let (splitLoss, splitGradient) = try run(pool: WorkerPool(threads: 2), loss: loss)
    #expect(serialLoss == splitLoss)
    #expect(serialGradient == splitGradient)
    #expect(serialGradient.contains { $0 != 0 })
  }

  /// x[256] → three tanh dense layers of 256 → squared error, with backward.
  func denseGraph() throws -> (Graph, loss: NodeID) {
    var builder = GraphBuilder()
    let x = builder.input("x", shape: [256])
    let target = builder.input("t", shape: [256])
    var h = x
    for name in ["fc1", "fc2", "fc3"] {
      h = try builder.append(.tanh, [builder.dense(h, units: 256, name: name)])
    }
    let loss = try builder.mse(h, target)
    var graph = builder.graph
    try Autodiff.appendBackward(to: &graph, loss: loss)
    return (graph, loss)
  }

  /// Loss and every parameter gradient after one pass; `profiled` times the nodes as well.
  func denseRun(pool: WorkerPool?, batch: Int, profiled: Bool = false) throws -> (
    Float, [[Float]], Executor
  ) {
    let (graph, loss) = try denseGraph()
    let executor = Executor(graph: graph, maxBatch: batch, pool: pool)
    var random = Random(seed: 5)
    executor.initializeParameters(random: &random)
    try executor.setInput("x", (0..<batch * 256).map { _ in Float(random.uniform(-1, 1)) })
    try executor.setInput("t", (0..<batch * 256).map { _ in Float(random.uniform(-1, 1)) })
    if profiled { executor.nodeNanoseconds = [UInt64](repeating: 0, count: graph.nodes.count) }
    try executor.forward(training: true)
    try executor.backward()
    let gradients = graph.parameters.indices.map {
      Array(executor.parameterGradient(ParameterID($0))!)
    }
    return (executor.value(of: loss)[0], gradients, executor)
  }

  @Test("a dense layer's input and weight gradients run side by side, with the same bits")
  func densePairs() throws {
    let (serialLoss, serialGradients, serial) = try denseRun(pool: nil, batch: 64)
    let pool = WorkerPool(threads: 2)
    let (pairedLoss, pairedGradients, paired) = try denseRun(
      pool: pool, batch: 64, profiled: true)
    // fc3 and fc2 have both gradients (8.4 Mflop each at batch 64); fc1's input gradient is
    // not computed, so its weight gradient runs alone.
    let graph = paired.graph
    let pairs = paired.plan.pairedWithNext.sorted()
    #expect(pairs.count == 2)
    for first in pairs {
      #expect(graph.nodes[first].op == .denseInputGrad)
      #expect(graph.nodes[first + 1].op == .denseWeightGrad)
      #expect(paired.nodeNanoseconds?[first] ?? 0 > 0)
      #expect(paired.nodeNanoseconds?[first + 1] ?? 0 > 0)
    }
    #expect(serial.plan.pairedWithNext == paired.plan.pairedWithNext)
    #expect(serialLoss == pairedLoss)
    #expect(serialGradients == pairedGradients)
    #expect(serialGradients.allSatisfy { $0.contains { $0 != 0 } })
  }

  @Test("small products and products sharing a buffer are not paired")
  func noPairs() throws {
    // Batch 16: each product 2.1 Mflop, under ExecutionPlan.minimumPairFlops.
    let (_, _, small) = try denseRun(pool: nil, batch: 16)
    #expect(small.plan.pairedWithNext.isEmpty)
    let (graph, _) = try denseGraph()
    let plan = ExecutionPlan(graph: graph, maxBatch: 64)
    #expect(plan.pairedWithNext.count == 2)
    // The same graph with the second node of every pair writing into a slot its partner
    // reads (as when the plan gives away a buffer whose last reader is the first node).
    for first in plan.pairedWithNext {
      var slots = plan.slots
      slots[first + 1] = graph.nodes[first].inputs.compactMap { slots[$0.rawValue] }.first
      let pairs = ExecutionPlan.concurrentPairs(
        graph, backward: plan.backward, slots: slots, batch: 64)
      #expect(!pairs.contains(first))
      #expect(pairs.count == 1)
    }
  }

  @Test("a model of a million trainable values or more updates in the backward pass, unpaired")
  func bigModelsUpdateInBackward() throws {
    // fc2's gradients (134 Mflop each at batch 64) would pair; 2.1 M values give pairs up.
    var b = GraphBuilder()
    var h = b.input("x", shape: [1024])
    let target = b.input("label", shape: [1024])
    h = try b.append(.tanh, [b.dense(h, units: 1024, name: "fc1")])
    let loss = try b.mse(try b.dense(h, units: 1024, name: "fc2"), target)
    var graph = b.graph
    try Autodiff.appendBackward(to: &graph, loss: loss)
    let total = graph.parameters.reduce(0) { $0 + $1.shape.elementCount }
    #expect(total >= ExecutionPlan.fusedUpdateParameters)
    let plan = ExecutionPlan(graph: graph, maxBatch: 64)
    #expect(plan.updatesInBackwardOnPool && plan.pairedWithNext.isEmpty)
    let (small, _) = try denseGraph()
    let smallPlan = ExecutionPlan(graph: small, maxBatch: 64)
    #expect(!smallPlan.updatesInBackwardOnPool && !smallPlan.pairedWithNext.isEmpty)
  }
}
