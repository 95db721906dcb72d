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

  public mutating func step(
    parameters: [ParameterBuffer], learningRate: Float, pool: WorkerPool?
  ) {
    if !firstMoment.matches(parameters) {
      firstMoment.allocate(for: parameters)
      secondMoment.allocate(for: parameters)
    }
    steps += 1
    let t = Double(steps)
    let correction1 = 1 - pow(settings.beta1, t)
    let correction2 = 1 - pow(settings.beta2, t)
    let stepSize = Float(Double(learningRate) / correction1)
    let correction2Root = Float(correction2.squareRoot())
    let weight = Float(1 - settings.beta1)
    let beta2 = Float(settings.beta2)
    let oneMinusBeta2 = Float(1 - settings.beta2)
    let epsilon = Float(settings.epsilon)
    let weightDecay = Float(settings.weightDecay)
    let firstMoments = firstMoment.pointers()
    let secondMoments = secondMoment.pointers()
    forEachSlice(of: parameters, pool: pool) { index, start, p, gradient, count in
      // The same per-element arithmetic on SIMD8 vectors (NetLangTensor).
      Pointwise.adam(
        p, gradient, firstMoments[index] + start,
        secondMoments[index] + start, count: count, stepSize: stepSize,
        correction2Root: correction2Root, weight: weight, beta2: beta2,
        oneMinusBeta2: oneMinusBeta2, epsilon: epsilon, weightDecay: weightDecay)
    }
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
