// FusedUpdates: the optimizer's update of a dense weight applied by the backward pass, block by
// block, as the product computing the weight's gradient finishes each block (while the block
// is in cache), instead of writing the whole gradient out and reading it back in the update.
// The same arithmetic per element as the plain step (PiecewiseStep); only where it runs moves.
//
// The other parameters (biases, convolution and recurrent weights, embeddings) are updated
// after the backward pass, as before. Used on one thread only (`forTraining`).

import NetLangGraph
import NetLangTensor
import Synchronization

/// The parameters whose updates the backward pass applies, and the step in progress.
public final class FusedUpdates {
  let executor: Executor
  /// By position in the parameter list: true when the backward pass updates it.
  let fused: [Bool]
  /// The parameters the backward pass leaves to `finish`.
  let others: [ParameterBuffer]
  private let shared = FusedStepState()
  private let consumers: [(ParameterID, BlockUpdate)]

  /// Fused updates where they pay: on one thread, and on a pool for models big enough that
  /// their plan gives up gradient pairs for them (`ExecutionPlan.updatesInBackwardOnPool`).
  /// For smaller models on a two-thread pool the plain step, which streams contiguous halves
  /// of every buffer, one per core, was faster (mlp 4-6%, alternating fused and plain steps),
  /// while on one thread the autoencoder's step ran 9-10% faster (mlp and LeNet unchanged).
  /// Only weights of at least `minimumElements`.
  public static func forTraining(
    executor: Executor, parameters: [ParameterBuffer]
  ) -> FusedUpdates? {
    guard (executor.pool?.threads ?? 1) == 1 || executor.plan.updatesInBackwardOnPool else {
      return nil
    }
    return FusedUpdates(
      executor: executor, parameters: parameters, minimumElements: minimumElements)
  }

  /// The smallest weight `forTraining` fuses (16 KB): a smaller one's gradient stays in cache
  /// anyway, and the fused step's calls per weight and block cost more than they save (`tiny`'s
  /// 16×16 weights: its fused step 1.08× slower than the plain one).
  public static let minimumElements = 4096

  /// The fused updates of `parameters` (what the optimizer updates) on `executor` (dense weights
  /// of at least `minimumElements`), or nil when none of them is a dense weight whose gradient
  /// the backward pass can hand over.
  public init?(executor: Executor, parameters: [ParameterBuffer], minimumElements: Int = 0) {
    var fused: [Bool] = []
    var others: [ParameterBuffer] = []
    var consumers: [(ParameterID, BlockUpdate)] = []
    for (index, parameter) in parameters.enumerated() {
      let id = executor.graph.parameter(named: parameter.name)
      guard let id, parameter.value.count >= minimumElements, executor.canConsumeGradient(of: id),
        let value = parameter.value.baseAddress,
        let width = executor.graph[id].shape.dimensions.last, width > 0
      else {
        fused.append(false)
        others.append(parameter)
        continue
      }
      fused.append(true)
      consumers.append(
        (id, BlockUpdate(state: shared, parameter: index, value: value, width: width)))
    }
    guard !consumers.isEmpty else { return nil }
    self.executor = executor
    self.fused = fused
    self.others = others
    self.consumers = consumers
  }

  /// Runs `passes` (the forward and backward passes) with `step` applied to the fused
  /// parameters as their gradients are computed. False when a fused gradient had a NaN or an
  /// infinity: the row (or piece of 4096 values) holding it and every one after it were left
  /// alone (those before it may have been applied).
  public func run<Failure: Error>(
    _ step: any PiecewiseStep, _ passes: () throws(Failure) -> Void
  ) throws(Failure) -> Bool {
    shared.step = step
    shared.nonFinite.store(false, ordering: .relaxed)
    for (id, consumer) in consumers { executor.setGradientConsumer(consumer, for: id) }
    defer {
      for (id, _) in consumers { executor.setGradientConsumer(nil, for: id) }
      shared.step = nil
    }
    try passes()
    return !shared.nonFinite.load(ordering: .relaxed)
  }

  /// The rest of `step`: every parameter the backward pass did not update.
  public func finish(_ step: any PiecewiseStep, parameters: [ParameterBuffer], pool: WorkerPool?) {
    step.apply(to: parameters, skipping: fused, pool: pool)
  }
}

/// What the blocks of one step share: the step, and whether a gradient was not finite.
final class FusedStepState: @unchecked Sendable {
  var step: (any PiecewiseStep)?
  let nonFinite = Atomic<Bool>(false)
}

/// Applies the step to one weight (`[outputs, width]`) a block of its gradient at a time.
final class BlockUpdate: GemmBlockConsumer, @unchecked Sendable {
  let state: FusedStepState
  let parameter: Int
  let value: UnsafeMutablePointer<Float>
  let width: Int

  init(state: FusedStepState, parameter: Int, value: UnsafeMutablePointer<Float>, width: Int) {
    self.state = state
    self.parameter = parameter
    self.value = value
    self.width = width
  }

  func consume(
    row: Int, column: Int, rows: Int, columns: Int, values: UnsafePointer<Float>, stride: Int
  ) {
    guard let step = state.step, !state.nonFinite.load(ordering: .relaxed) else { return }
    // Each piece is checked and then applied while it is still in L1: a check of the whole
    // block first would read it twice from L2.
    if columns == width && stride == width {
      // Whole rows stored back to back (small products hand over all of C at once): one range,
      // in pieces of `BlockUpdate.piece`.
      let count = rows &* columns
      var offset = 0
      while offset < count {
        let length = min(BlockUpdate.piece, count &- offset)
        guard apply(step, start: row &* width &+ offset, gradient: values + offset, length)
        else { return }
        offset &+= length
      }
      return
    }
    for r in 0..<rows {
      guard
        apply(
          step, start: (row &+ r) &* width &+ column, gradient: values + r &* stride, columns)
      else { return }
    }
  }

  /// Elements a contiguous range is checked and applied in (16 KiB).
  static let piece = 4096

  /// Checks `count` gradient values and applies the step to them if they are all finite; false
  /// (with the step's flag raised) if not.
  private func apply(
    _ step: any PiecewiseStep, start: Int, gradient: UnsafePointer<Float>, _ count: Int
  ) -> Bool {
    guard Reduction.allFinite(gradient, count: count) else {
      state.nonFinite.store(true, ordering: .relaxed)
      return false
    }
    step.update(parameter: parameter, value: value, start: start, gradient: gradient, count: count)
    return true
  }
}
