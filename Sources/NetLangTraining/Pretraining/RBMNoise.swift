// RBMNoise: where an RBM's random numbers come from. `Random` in training; a fixed sequence
// in tests, so a contrastive-divergence step can be checked by hand.

import NetLangTensor

/// A source of the two kinds of noise Gibbs sampling needs.
public protocol RBMNoise {
  /// Uniform in [0, 1): a Bernoulli unit with probability p is on when p > this.
  mutating func uniformSample() -> Float
  /// Standard normal: added to the mean of a linear (Gaussian) hidden unit.
  mutating func gaussianSample() -> Float
}

extension Random: RBMNoise {
  public mutating func uniformSample() -> Float { nextFloat() }
  public mutating func gaussianSample() -> Float { Float(normal()) }
}
