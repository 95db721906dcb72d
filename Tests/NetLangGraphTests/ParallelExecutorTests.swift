// ParallelExecutorTests: a forward and backward pass with a 2-thread pool gives the same bits
// as on one thread, for every elementwise op the executor splits across the pool.

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

  @Test("2 threads and 1 thread agree bit for bit", arguments: [Op.mseLoss, .bceLoss, .bceWithLogitsLoss])
  func sameBits(loss: Op) throws {
    let (serialLoss, serialGradient) = try run(pool: nil, loss: loss)
    let (splitLoss, splitGradient) = try run(pool: WorkerPool(threads: 2), loss: loss)
    #expect(serialLoss == splitLoss)
    #expect(serialGradient == splitGradient)
    #expect(serialGradient.contains { $0 != 0 })
  }
}
