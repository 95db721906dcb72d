// SGD: torch.optim.SGD over flat buffers, element by element in the same order of operations.

import NetLangTensor

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight
/// decay, as torch.optim.SGD.
///
/// The update:
///
///     g = ∇ + weightDecay·p
///     v = g on the first step, else momentum·v + (1 − dampening)·g
///     g = g + momentum·v (nesterov) or v
///     p = p − lr·g
public struct SGD: Optimizer, Sendable {
  public let settings: SGDSettings
  private var momentum = StateBuffers(kind: "momentum")
  private var steps = 0
  /// The current step's constants (one object, reused by every step).
  private let current = SGDStep()

  public init(_ settings: SGDSettings) { self.settings = settings }

  public mutating func step(
    parameters: [ParameterBuffer], learningRate: Float, pool: WorkerPool?
  ) {
    beginPiecewiseStep(parameters: parameters, learningRate: learningRate)
      .apply(to: parameters, skipping: nil, pool: pool)
  }

  public mutating func beginPiecewiseStep(
    parameters: [ParameterBuffer], learningRate: Float
  ) -> any PiecewiseStep {
    steps += 1
    current.learningRate = learningRate
    current.weightDecay = Float(settings.weightDecay)
    current.momentum = Float(settings.momentum)
    current.keep = Float(1 - settings.dampening)
    current.nesterov = settings.nesterov
    current.velocities = nil
    if settings.momentum != 0 {
      current.firstStep = !momentum.matches(parameters)
      if current.firstStep { momentum.allocate(for: parameters) }
      current.velocities = momentum.pointers()
    }
    return current
  }
  public var state: OptimizerState {
    var state = OptimizerState(step: steps)
    momentum.export(into: &state)
    return state
  }

  public mutating func restore(_ state: OptimizerState, parameters: [ParameterBuffer])
    throws(DataError)
  {
    if settings.momentum != 0 && state.step > 0 {
      try momentum.restore(from: state, parameters: parameters)
    } else {
      momentum = StateBuffers(kind: "momentum")
    }
    steps = state.step
  }
}

/// One SGD step's constants and its per-element update.
///
/// The fields are set by `beginPiecewiseStep` before any update of the step reads them, and
/// only read by the updates (from either thread): unchecked, they cost no exclusivity check on
/// each of a fused step's many small updates.
final class SGDStep: PiecewiseStep, @unchecked Sendable {
  @exclusivity(unchecked) var learningRate: Float = 0
  @exclusivity(unchecked) var weightDecay: Float = 0
  @exclusivity(unchecked) var momentum: Float = 0
  @exclusivity(unchecked) var keep: Float = 1
  @exclusivity(unchecked) var nesterov = false
  @exclusivity(unchecked) var firstStep = false
  /// The momentum buffers by parameter position; nil without momentum.
  @exclusivity(unchecked) var velocities: UnsafePointer<UnsafeMutablePointer<Float>>?

  func update(
    parameter index: Int, value: UnsafeMutablePointer<Float>, start: Int,
    gradient: UnsafePointer<Float>, count: Int
  ) {
    let p = value + start
    guard let velocities else {
      for i in 0..<count {
        let g = weightDecay != 0 ? gradient[i] + weightDecay * p[i] : gradient[i]
        p[i] = p[i] + -learningRate * g
      }
      return
    }
    // The same per-element arithmetic on SIMD8 vectors (NetLangTensor).
    Pointwise.sgdMomentum(
      p, gradient, velocities[index] + start, count: count, learningRate: learningRate,
      momentum: momentum, keep: keep, weightDecay: weightDecay, firstStep: firstStep,
      nesterov: nesterov)
  }
}
