// BenchStepper: what `netlang bench` times: a workload's training step ready to run again and
// again (BenchStepper), and W6's RBM epochs (RBMBench).

import Foundation
import NetLangGraph
import NetLangTensor
import NetLangTraining

/// One workload ready to time: `step()` is a training step as the trainer takes it (forward,
/// backward, optimizer update; on one thread the dense weights updated during the backward
/// pass, `FusedUpdates`).
final class BenchStepper {
  let executor: Executor
  private let parameters: [ParameterBuffer]
  private var optimizer: any Optimizer
  private let learningRate: Float
  private let fusion: FusedUpdates?

  init(
    executor: Executor, parameters: [ParameterBuffer], optimizer: any Optimizer,
    learningRate: Float
  ) {
    self.executor = executor
    self.parameters = parameters
    self.optimizer = optimizer
    self.learningRate = learningRate
    fusion = FusedUpdates.forTraining(executor: executor, parameters: parameters)
  }

  private func passes() throws(BenchFailure) {
    do {
      try executor.forward(training: true)
      try executor.backward()
    } catch {
      throw BenchFailure(message: error.description)
    }
  }

  func step() throws(BenchFailure) {
    try step { update in update() }
  }

  /// A step whose optimizer update after the backward pass (all of it, or with fused updates
  /// the rest) runs through `around`.
  private func step(around: (() -> Void) -> Void) throws(BenchFailure) {
    guard let fusion else {
      try passes()
      around {
        optimizer.step(parameters: parameters, learningRate: learningRate, pool: executor.pool)
      }
      return
    }
    let piece = optimizer.beginPiecewiseStep(parameters: parameters, learningRate: learningRate)
    _ = try fusion.run(piece, passes)
    around { fusion.finish(piece, parameters: parameters, pool: executor.pool) }
  }

  /// Warm-up steps (at least 3, about 0.2 s); returns how many steps last about 0.25 s.
  func warmUp() throws(BenchFailure) -> Int {
    let start = Driver.now()
    var steps = 0
    repeat {
      try step()
      steps += 1
    } while steps < 3 || (Driver.now() - start < 0.2 && steps < 10_000)
    let perStep = (Driver.now() - start) / Double(steps)
    return max(3, Int(0.25 / max(perStep, 1e-7)))
  }

  /// Seconds that `steps` steps take.
  func time(steps: Int) throws(BenchFailure) -> Double {
    let start = Driver.now()
    for _ in 0..<steps { try step() }
    return Driver.now() - start
  }

  /// µs per step of every node over `steps` more steps, and of the optimizer's update (the
  /// timing itself adds ~50 ns a node).
  func profile(steps: Int) throws(BenchFailure) -> [(label: String, microseconds: Double)] {
    let graph = executor.graph
    executor.nodeNanoseconds = [UInt64](repeating: 0, count: graph.nodes.count)
    defer { executor.nodeNanoseconds = nil }
    var optimizerSeconds = 0.0
    for _ in 0..<steps {
      try step { update in
        let start = Driver.now()
        update()
        optimizerSeconds += Driver.now() - start
      }
    }
    var profile: [(label: String, microseconds: Double)] = []
    let perStep = 1e-3 / Double(steps)
    for (i, node) in graph.nodes.enumerated() {
      let nanoseconds = executor.nodeNanoseconds?[i] ?? 0
      guard nanoseconds > 0 else { continue }
      let label = "%\(i) \(node.op.name) \(node.shape)\(node.batched ? " per example" : "")"
      profile.append((label, Double(nanoseconds) * perStep))
    }
    // With fused updates those weights' share is in their weight-gradient nodes.
    let label = fusion == nil ? "optimizer step" : "optimizer step (but the fused dense weights)"
    profile.append((label, optimizerSeconds * 1e6 / Double(steps)))
    return profile
  }
}

/// W6's RBM, ready to time: epochs of CD-1 over 1,000 random binary-ish images.
final class RBMBench {
  static let (visible, hidden, batch, count) = (784, 500, 100, 1000)
  private var rbm: RBM
  private var random = Random(seed: 1)
  private let data: [Float]
  private let pool: WorkerPool?
  private let schedule = RBMSchedule(epochs: 1, batchSize: RBMBench.batch)
  private var order = EpochOrder(count: RBMBench.count, batchSize: RBMBench.batch, shuffle: true)

  /// Builds the RBM and its data and trains one epoch (the warm-up).
  init(pool: WorkerPool?) {
    self.pool = pool
    rbm = RBM(visibleCount: Self.visible, hiddenCount: Self.hidden, random: &random)
    var random = random
    data = (0..<(Self.count * Self.visible)).map { _ in random.nextFloat() }
    self.random = random
    epoch()
  }

  private func epoch() {
    _ = rbm.trainEpoch(
      data: data, count: Self.count, epoch: 0, schedule: schedule, order: &order,
      random: &random, pool: pool)
  }

  /// Examples/s of two more epochs.
  func rate() -> Double {
    let start = Driver.now()
    epoch()
    epoch()
    return Double(2 * Self.count) / (Driver.now() - start)
  }
}
