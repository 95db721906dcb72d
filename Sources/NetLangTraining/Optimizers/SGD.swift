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

  public mutating func step(parameters: [ParameterBuffer], learningRate: Float) {
    let weightDecay = Float(settings.weightDecay)
    let mu = Float(settings.momentum)
    let keep = Float(1 - settings.dampening)
    let useMomentum = settings.momentum != 0
    let nesterov = settings.nesterov
    let firstMomentumStep = useMomentum && !momentum.matches(parameters)
    if firstMomentumStep { momentum.allocate(for: parameters) }
    for (index, parameter) in parameters.enumerated() {
      let p = parameter.value
      let gradient = parameter.gradient
      if !useMomentum {
        for i in 0..<p.count {
          let g = weightDecay != 0 ? gradient[i] + weightDecay * p[i] : gradient[i]
          p[i] = p[i] + -learningRate * g
        }
        continue
      }
      momentum.arrays[index].withUnsafeMutableBufferPointer { v in
        guard let pb = p.baseAddress, let gb = gradient.baseAddress, let vb = v.baseAddress
        else { return }
        // The same per-element arithmetic on SIMD8 vectors (NetLangTensor).
        Pointwise.sgdMomentum(
          pb, gb, vb, count: p.count, learningRate: learningRate, momentum: mu, keep: keep,
          weightDecay: weightDecay, firstStep: firstMomentumStep, nesterov: nesterov)
      }
    }
    steps += 1
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
