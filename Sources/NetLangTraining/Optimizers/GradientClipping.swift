// GradientClipping: scaling all gradients together so their global norm is at most a bound,
// as torch.nn.utils.clip_grad_norm_.

/// Global-norm gradient clipping.
public enum GradientClipping {
  /// Clips all gradients together to global 2-norm `maxNorm` and returns the norm before.
  ///
  /// Every gradient is scaled by min(1, maxNorm / (‖g‖ + 1e-6)). Like torch, the gradients are
  /// multiplied even when the factor is 1, and a non-finite norm propagates into them.
  @discardableResult
  public static func clipGlobalNorm(_ parameters: [ParameterBuffer], maxNorm: Float) -> Float {
    var sumOfSquares: Double = 0
    for parameter in parameters {
      var tensorSum: Double = 0
      for g in parameter.gradient { tensorSum += Double(g) * Double(g) }
      sumOfSquares += tensorSum
    }
    let totalNorm = Float(sumOfSquares.squareRoot())
    let factor = min(maxNorm / (totalNorm + 1e-6), 1)
    let scale = totalNorm.isNaN ? Float.nan : factor
    for parameter in parameters {
      let gradient = parameter.gradient
      for i in 0..<gradient.count { gradient[i] *= scale }
    }
    return totalNorm
  }
}
