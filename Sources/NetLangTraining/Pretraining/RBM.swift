// RBM: a restricted Boltzmann machine with Bernoulli visible units and Bernoulli (logistic) or
// linear-Gaussian hidden units, trained by contrastive divergence as in Hinton &
// Salakhutdinov (2006) and their rbm.m / rbmhidlinear.m.
//
// B = batch size, V = visible units, H = hidden units. W is H×V row-major (a dense layer's
// weight in PyTorch layout: hidden = W·visible + hiddenBias), so a trained RBM unrolls into
// an encoder layer (W) and a decoder layer (Wᵀ).

import NetLangTensor

/// A restricted Boltzmann machine and its momentum state.
public struct RBM: Sendable {
  /// What kind of hidden units the machine has.
  public enum HiddenUnits: Sendable, Equatable {
    /// Binary stochastic units, on with probability logistic(W·v + c).
    case bernoulli
    /// Linear units with unit-variance Gaussian noise, mean W·v + c (the code layer).
    case gaussian
  }

  public let visibleCount: Int
  public let hiddenCount: Int
  public var hiddenUnits: HiddenUnits
  /// H×V row-major.
  public var weights: [Float]
  /// V values.
  public var visibleBias: [Float]
  /// H values.
  public var hiddenBias: [Float]
  /// The previous updates, for momentum (same shapes as the parameters).
  public var weightVelocity: [Float]
  public var visibleBiasVelocity: [Float]
  public var hiddenBiasVelocity: [Float]
  /// Per-batch-size work buffers, reallocated only when the batch size changes.
  var scratch = RBMScratch()

  /// A machine with weights drawn from N(0, weightScale²) and zero biases, as rbm.m does
  /// (`vishid = 0.1*randn(...)`).
  public init(
    visibleCount: Int, hiddenCount: Int, hiddenUnits: HiddenUnits = .bernoulli,
    weightScale: Float = 0.1, random: inout Random
  ) {
    let v = max(1, visibleCount)
    let h = max(1, hiddenCount)
    self.visibleCount = v
    self.hiddenCount = h
    self.hiddenUnits = hiddenUnits
    weights = (0..<(h * v)).map { _ in weightScale * Float(random.normal()) }
    visibleBias = [Float](repeating: 0, count: v)
    hiddenBias = [Float](repeating: 0, count: h)
    weightVelocity = [Float](repeating: 0, count: h * v)
    visibleBiasVelocity = [Float](repeating: 0, count: v)
    hiddenBiasVelocity = [Float](repeating: 0, count: h)
  }

  /// A machine with the given parameters and zero velocities; nil if the sizes disagree.
  public init?(
    weights: [Float], visibleBias: [Float], hiddenBias: [Float],
    hiddenUnits: HiddenUnits = .bernoulli
  ) {
    guard !visibleBias.isEmpty, !hiddenBias.isEmpty,
      weights.count == visibleBias.count * hiddenBias.count
    else { return nil }
    visibleCount = visibleBias.count
    hiddenCount = hiddenBias.count
    self.hiddenUnits = hiddenUnits
    self.weights = weights
    self.visibleBias = visibleBias
    self.hiddenBias = hiddenBias
    weightVelocity = [Float](repeating: 0, count: weights.count)
    visibleBiasVelocity = [Float](repeating: 0, count: visibleBias.count)
    hiddenBiasVelocity = [Float](repeating: 0, count: hiddenBias.count)
  }

  /// The up-pass, B×H: logistic(v·Wᵀ + c) for Bernoulli hidden units, the mean v·Wᵀ + c for
  /// Gaussian ones.
  ///
  /// These are the codes the next RBM of a stack trains on. [] on a size mismatch.
  public func hiddenProbabilities(visible: [Float], count: Int, pool: WorkerPool? = nil)
    -> [Float]
  {
    guard count > 0, visible.count == count * visibleCount else { return [] }
    var out = [Float](repeating: 0, count: count * hiddenCount)
    RBMMath.hiddenActivation(
      visible, count: count, weights: weights, bias: hiddenBias, visibleCount: visibleCount,
      hiddenCount: hiddenCount, logistic: hiddenUnits == .bernoulli, into: &out, pool: pool)
    return out
  }

  /// The down-pass, B×V: logistic(h·W + b).
  ///
  /// [] on a size mismatch.
  public func visibleProbabilities(hidden: [Float], count: Int, pool: WorkerPool? = nil)
    -> [Float]
  {
    guard count > 0, hidden.count == count * hiddenCount else { return [] }
    var out = [Float](repeating: 0, count: count * visibleCount)
    RBMMath.visibleProbabilities(
      hidden, count: count, weights: weights, bias: visibleBias, visibleCount: visibleCount,
      hiddenCount: hiddenCount, into: &out, pool: pool)
    return out
  }

  /// The deterministic reconstruction: down-pass of the up-pass probabilities (no sampling).
  public func reconstruct(visible: [Float], count: Int, pool: WorkerPool? = nil) -> [Float] {
    visibleProbabilities(
      hidden: hiddenProbabilities(visible: visible, count: count, pool: pool), count: count,
      pool: pool)
  }

  /// Squared error of `reconstruct`, summed over the visible units and averaged over the `count`
  /// examples.
  ///
  /// NaN on a size mismatch.
  public func reconstructionError(data: [Float], count: Int, pool: WorkerPool? = nil) -> Double {
    guard count > 0, data.count == count * visibleCount else { return .nan }
    return RBMMath.squaredError(data, reconstruct(visible: data, count: count, pool: pool))
      / Double(count)
  }

  /// The free energy F(v) = −log Σ_h exp(−E(v, h)), averaged over the `count` examples.
  ///
  /// With x = W·v + c: Bernoulli hidden units give −b·v − Σ_j log(1 + e^{x_j}); unit-variance
  /// Gaussian ones (E has +½‖h‖²) give −b·v − Σ_j x_j²/2 − (H/2)·log 2π. NaN on a size mismatch.
  public func freeEnergy(data: [Float], count: Int, pool: WorkerPool? = nil) -> Double {
    guard count > 0, data.count == count * visibleCount else { return .nan }
    var x = [Float](repeating: 0, count: count * hiddenCount)
    RBMMath.hiddenActivation(
      data, count: count, weights: weights, bias: hiddenBias, visibleCount: visibleCount,
      hiddenCount: hiddenCount, logistic: false, into: &x, pool: pool)
    var total = 0.0
    for i in 0..<count {
      var energy = 0.0
      for j in 0..<visibleCount {
        energy -= Double(visibleBias[j]) * Double(data[i * visibleCount + j])
      }
      for j in 0..<hiddenCount {
        let value = Double(x[i * hiddenCount + j])
        switch hiddenUnits {
        case .bernoulli:
          energy -= max(value, 0) + MathShim.log(1 + MathShim.exp(-abs(value)))
        case .gaussian:
          energy -= value * value / 2 + 0.5 * MathShim.log(2 * Double.pi)
        }
      }
      total += energy
    }
    return total / Double(count)
  }
}
