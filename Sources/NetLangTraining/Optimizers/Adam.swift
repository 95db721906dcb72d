// Adam: torch.optim.Adam (single-tensor path) over flat buffers, same order of operations.

import Foundation
import NetLangTensor

/// Adam with bias correction and L2 weight decay added to the gradient, as torch.optim.Adam.
///
/// The update:
///
///     g = ∇ + weightDecay·p
///     m = lerp(m, g, 1 − β₁)            v = β₂·v + (1 − β₂)·g²
///     p = p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
public struct Adam: Optimizer, Sendable {
  public let settings: AdamSettings
  private var firstMoment = StateBuffers(kind: "exp_avg")
  private var secondMoment = StateBuffers(kind: "exp_avg_sq")
  private var steps = 0

  public init(_ settings: AdamSettings) { self.settings = settings }

  /// The current step's constants (one object, reused by every step).
  private let current = AdamStep()

  public mutating func step(
    parameters: [ParameterBuffer], learningRate: Float, pool: WorkerPool?
  ) {
    beginPiecewiseStep(parameters: parameters, learningRate: learningRate)
      .apply(to: parameters, skipping: nil, pool: pool)
  }

  public mutating func beginPiecewiseStep(
    parameters: [ParameterBuffer], learningRate: Float
  ) -> any PiecewiseStep {
    if !firstMoment.matches(parameters) {
      firstMoment.allocate(for: parameters)
      secondMoment.allocate(for: parameters)
    }
    steps += 1
    let t = Double(steps)
    let correction1 = 1 - pow(settings.beta1, t)
    let correction2 = 1 - pow(settings.beta2, t)
    current.stepSize = Float(Double(learningRate) / correction1)
    current.correction2Root = Float(correction2.squareRoot())
    current.weight = Float(1 - settings.beta1)
    current.beta2 = Float(settings.beta2)
    current.oneMinusBeta2 = Float(1 - settings.beta2)
    current.epsilon = Float(settings.epsilon)
    current.weightDecay = Float(settings.weightDecay)
    current.firstMoments = firstMoment.pointers()
    current.secondMoments = secondMoment.pointers()
    return current
  }

  public var state: OptimizerState {
    var state = OptimizerState(step: steps)
    firstMoment.export(into: &state)
    secondMoment.export(into: &state)
    return state
  }

  public mutating func restore(_ state: OptimizerState, parameters: [ParameterBuffer])
    throws(DataError)
  {
    if state.step == 0 {
      firstMoment = StateBuffers(kind: "exp_avg")
      secondMoment = StateBuffers(kind: "exp_avg_sq")
    } else {
      try firstMoment.restore(from: state, parameters: parameters)
      try secondMoment.restore(from: state, parameters: parameters)
    }
    steps = state.step
  }
}

/// One Adam step's constants and its per-element update.
///
/// The fields are set by `beginPiecewiseStep` before any update of the step reads them, and
/// only read by the updates (from either thread): unchecked, they cost no exclusivity check on
/// each of a fused step's many small updates.
final class AdamStep: PiecewiseStep, @unchecked Sendable {
  @exclusivity(unchecked) var stepSize: Float = 0
  @exclusivity(unchecked) var correction2Root: Float = 1
  @exclusivity(unchecked) var weight: Float = 0
  @exclusivity(unchecked) var beta2: Float = 0
  @exclusivity(unchecked) var oneMinusBeta2: Float = 0
  @exclusivity(unchecked) var epsilon: Float = 0
  @exclusivity(unchecked) var weightDecay: Float = 0
  @exclusivity(unchecked) var firstMoments: UnsafePointer<UnsafeMutablePointer<Float>>?
  @exclusivity(unchecked) var secondMoments: UnsafePointer<UnsafeMutablePointer<Float>>?

  func update(
    parameter index: Int, value: UnsafeMutablePointer<Float>, start: Int,
    gradient: UnsafePointer<Float>, count: Int
  ) {
    guard let firstMoments, let secondMoments else { return }
    // The same per-element arithmetic on SIMD8 vectors (NetLangTensor).
    Pointwise.adam(
      value + start, gradient, firstMoments[index] + start, secondMoments[index] + start,
      count: count, stepSize: stepSize, correction2Root: correction2Root, weight: weight,
      beta2: beta2, oneMinusBeta2: oneMinusBeta2, epsilon: epsilon, weightDecay: weightDecay)
  }
}
