// FusedUpdateTests: dense weights updated by the backward pass, block by block (FusedUpdates),
// end up with the same bits as the plain step (backward, then the optimizer over everything),
// for each optimizer, on one thread and on two; a non-finite gradient is reported.

import NetLangGraph
import NetLangTensor
import Testing

@testable import NetLangTraining

@Suite("weight updates fused into the backward pass") struct FusedUpdateTests {
  /// 40 → 300 (tanh) → 200 (relu) → 5, cross-entropy: at batch 120 the weight gradients are
  /// one depth block (handed over from scratch) and the big ones split across two threads.
  static func graph() throws -> (Graph, NodeID) {
    var b = GraphBuilder()
    let x = b.input("x", shape: [40])
    let label = b.input("label", shape: [])
    let h1 = try b.append(.tanh, [b.dense(x, units: 300, name: "fc1")])
    let h2 = try b.append(.relu, [b.dense(h1, units: 200, name: "fc2")])
    let logits = try b.dense(h2, units: 5, name: "fc3")
    let loss = try b.crossEntropy(logits, label)
    b.setOutput("loss", loss)
    var graph = b.graph
    try Autodiff.appendBackward(to: &graph, loss: loss)
    return (graph, loss)
  }

  /// The parameters after `steps` steps, fused or plain, with `make()`'s optimizer.
  static func train(
    fused: Bool, steps: Int, pool: WorkerPool?, poisoned: Bool = false,
    _ make: () -> any Optimizer
  ) throws -> (values: [[Float]], finite: Bool) {
    let (graph, loss) = try graph()
    let batch = 120
    let executor = Executor(graph: graph, maxBatch: batch, pool: pool)
    var random = Random(seed: 7)
    executor.initializeParameters(random: &random)
    let training = TrainingGraph(
      executor: executor, inputNames: ["x", "label"], loss: loss, accuracy: nil)
    let parameters = training.parameterBuffers()
    var optimizer = make()
    let fusion = FusedUpdates(executor: executor, parameters: parameters)
    var finite = true
    for _ in 0..<steps {
      let x = try executor.inputBuffer("x")
      for i in x.indices { x[i] = Float(random.uniform(-1, 1)) }
      if poisoned { x[3] = .nan }
      let labels = try executor.inputBuffer("label")
      for i in labels.indices { labels[i] = Float(random.nextInt(below: 5)) }
      try executor.forward(training: true)
      if fused, let fusion {
        let update = optimizer.beginPiecewiseStep(parameters: parameters, learningRate: 0.05)
        finite = try fusion.run(update) { () throws(ExecutionError) in try executor.backward() }
        // As the trainer: the rest of the step only after finite weight gradients.
        if finite { fusion.finish(update, parameters: parameters, pool: pool) }
      } else {
        try executor.backward()
        optimizer.step(parameters: parameters, learningRate: 0.05, pool: pool)
      }
    }
    return (parameters.map { Array($0.value) }, finite)
  }

  static let optimizers: [(String, @Sendable () -> any Optimizer)] = [
    ("sgd momentum", { SGD(SGDSettings(learningRate: 0.05, momentum: 0.9)) }),
    (
      "sgd nesterov, weight decay, dampening",
      {
        SGD(
          SGDSettings(
            learningRate: 0.05, momentum: 0.8, dampening: 0.1, weightDecay: 0.01,
            nesterov: false))
      }
    ),
    (
      "sgd nesterov",
      { SGD(SGDSettings(learningRate: 0.05, momentum: 0.9, weightDecay: 0.001, nesterov: true)) }
    ),
    ("plain sgd", { SGD(SGDSettings(learningRate: 0.05)) }),
    ("adam", { Adam(AdamSettings(learningRate: 0.01, weightDecay: 0.01)) }),
  ]

  @Test("fused and plain steps leave the same bits, on one thread and on two")
  func sameBits() throws {
    let pool = WorkerPool(threads: 2)
    for (name, make) in Self.optimizers {
      let plain = try Self.train(fused: false, steps: 3, pool: nil, make)
      let start = try Self.train(fused: false, steps: 0, pool: nil, make)
      #expect(plain.values != start.values, "\(name): the steps changed the weights")
      for threads in [nil, pool] {
        let fused = try Self.train(fused: true, steps: 3, pool: threads, make)
        #expect(fused.finite)
        #expect(fused.values == plain.values, "\(name), \(threads?.threads ?? 1) threads")
      }
    }
  }

  @Test("only dense weights are fused; biases are left to the rest of the step")
  func whichParameters() throws {
    let (graph, loss) = try Self.graph()
    let executor = Executor(graph: graph, maxBatch: 8)
    let training = TrainingGraph(
      executor: executor, inputNames: ["x", "label"], loss: loss, accuracy: nil)
    let parameters = training.parameterBuffers()
    let fusion = try #require(FusedUpdates(executor: executor, parameters: parameters))
    let fusedNames = zip(parameters, fusion.fused).filter(\.1).map(\.0.name)
    #expect(fusedNames.sorted() == ["fc1.weight", "fc2.weight", "fc3.weight"])
    #expect(fusion.others.map(\.name).sorted() == ["fc1.bias", "fc2.bias", "fc3.bias"])
  }

  @Test(
    "training fuses weights of 4096 elements or more on one thread; a small model on two threads does not"
  )
  func trainingPolicy() throws {
    let (graph, loss) = try Self.graph()
    for pool in [nil, WorkerPool(threads: 2)] {
      let executor = Executor(graph: graph, maxBatch: 8, pool: pool)
      let training = TrainingGraph(
        executor: executor, inputNames: ["x", "label"], loss: loss, accuracy: nil)
      let parameters = training.parameterBuffers()
      let fusion = FusedUpdates.forTraining(executor: executor, parameters: parameters)
      guard pool == nil else {
        // 73 k values: under ExecutionPlan.fusedUpdateParameters, so the pairs stay.
        #expect(!executor.plan.updatesInBackwardOnPool)
        #expect(fusion == nil)
        continue
      }
      // fc1 40×300 and fc2 300×200 are fused; fc3 200×5 (1,000) is not.
      let fused = try #require(fusion)
      let fusedNames = zip(parameters, fused.fused).filter(\.1).map(\.0.name)
      #expect(fusedNames.sorted() == ["fc1.weight", "fc2.weight"])
      #expect(FusedUpdates.minimumElements == 4096)
    }
  }

  @Test("on two threads a weight whose gradient runs beside its input gradient is not fused")
  func pairsKeepTheirWeights() throws {
    let (graph, _) = try Self.graph()
    let pool = WorkerPool(threads: 2)
    let serial = Executor(graph: graph, maxBatch: 120)
    let paired = Executor(graph: graph, maxBatch: 120, pool: pool)
    let names = ["fc1.weight", "fc2.weight", "fc3.weight"]
    let ids = try names.map { try #require(graph.parameter(named: $0)) }
    // The input gradient reads the weight the update would change under it: only the pair
    // (fc2's two gradients, at batch 120 big enough to run side by side) is left out.
    #expect(ids.map(serial.canConsumeGradient) == [true, true, true])
    #expect(ids.map(paired.canConsumeGradient) == [true, false, true])
  }

  @Test("a NaN in the weight gradients is reported and no NaN reaches the weights")
  func nonFinite() throws {
    // One NaN input: every weight gradient sums over the batch, so each has NaNs.
    let result = try Self.train(fused: true, steps: 1, pool: nil, poisoned: true) {
      SGD(SGDSettings(learningRate: 0.05, momentum: 0.9))
    }
    let weightsFinite = result.values.allSatisfy { $0.allSatisfy(\.isFinite) }
    #expect(!result.finite)
    #expect(weightsFinite)
  }

  /// Records the ranges a block consumer applies.
  final class RecordingStep: PiecewiseStep {
    var ranges: [Range<Int>] = []
    func update(
      parameter index: Int, value: UnsafeMutablePointer<Float>, start: Int,
      gradient: UnsafePointer<Float>, count: Int
    ) { ranges.append(start..<(start + count)) }
  }

  @Test("a block is applied row by row (or 4096 values at a time) up to the first non-finite")
  func blockStopsAtNonFinite() {
    let state = FusedStepState()
    let step = RecordingStep()
    state.step = step
    var weight = [Float](repeating: 0, count: 10 * 6000)
    weight.withUnsafeMutableBufferPointer { w in
      // Rows 2-4 of a 6000-wide weight, columns 100..<150 (stride 50): a NaN in the 2nd row.
      let update = BlockUpdate(state: state, parameter: 0, value: w.baseAddress!, width: 6000)
      var block = [Float](repeating: 1, count: 3 * 50)
      block[50 + 7] = .nan
      update.consume(row: 2, column: 100, rows: 3, columns: 50, values: block, stride: 50)
      #expect(step.ranges == [12100..<12150])
      var raised = state.nonFinite.load(ordering: .relaxed)
      #expect(raised)
      // Two whole rows back to back (12,000 values), an infinity at 5000: one piece applied.
      state.nonFinite.store(false, ordering: .relaxed)
      step.ranges = []
      var rows = [Float](repeating: 1, count: 2 * 6000)
      rows[5000] = .infinity
      update.consume(row: 4, column: 0, rows: 2, columns: 6000, values: rows, stride: 6000)
      #expect(step.ranges == [24000..<28096])
      raised = state.nonFinite.load(ordering: .relaxed)
      #expect(raised)
      // All finite: every piece, in order, covering the rows.
      state.nonFinite.store(false, ordering: .relaxed)
      step.ranges = []
      rows[5000] = 1
      update.consume(row: 4, column: 0, rows: 2, columns: 6000, values: rows, stride: 6000)
      #expect(step.ranges == [24000..<28096, 28096..<32192, 32192..<36000])
      raised = state.nonFinite.load(ordering: .relaxed)
      #expect(!raised)
    }
  }
}
