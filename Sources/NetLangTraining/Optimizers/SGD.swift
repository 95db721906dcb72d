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

  public init(_ settings: SGDSettings) { self.settings = settings }

  public mutating func step(
    parameters: [ParameterBuffer], learningRate: Float, pool: WorkerPool?
  ) {
    let weightDecay = Float(settings.weightDecay)
    let mu = Float(settings.momentum)
    let keep = Float(1 - settings.dampening)
    let nesterov = settings.nesterov
    steps += 1
    guard settings.momentum != 0 else {
      forEachSlice(of: parameters, pool: pool) { _, _, p, gradient, count in
        for i in 0..<count {
          let g = weightDecay != 0 ? gradient[i] + weightDecay * p[i] : gradient[i]
          p[i] = p[i] + -learningRate * g
        }
      }
      return
    }
    let firstStep = !momentum.matches(parameters)
    if firstStep { momentum.allocate(for: parameters) }
    let velocities = momentum.pointers()
    forEachSlice(of: parameters, pool: pool) { index, start, p, gradient, count in
      // The same per-element arithmetic on SIMD8 vectors (NetLangTensor).
      Pointwise.sgdMomentum(
        p, gradient, velocities[index] + start, count: count, learningRate: learningRate,
        momentum: mu, keep: keep,
        weightDecay: weightDecay, firstStep: firstStep, nesterov: nesterov)
    }
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
