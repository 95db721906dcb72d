// GradientCheck: central differences in Double of L(x) = Σ weights ⊙ f(x), the oracle the
// backward kernels are compared with.

/// ∂L/∂x for L(x) = Σ_i weights[i] · f(x)[i], by central differences with step `step`.
func numericalGradient(
  of function: ([Double]) -> [Double], at point: [Float], weights: [Float], step: Double = 1e-4
) -> [Float] {
  var x = point.map(Double.init)
  func loss(_ values: [Double]) -> Double {
    zip(function(values), weights).reduce(0) { $0 + $1.0 * Double($1.1) }
  }
  var gradient = [Float](repeating: 0, count: x.count)
  for i in x.indices {
    let original = x[i]
    x[i] = original + step
    let above = loss(x)
    x[i] = original - step
    let below = loss(x)
    x[i] = original
    gradient[i] = Float((above - below) / (2 * step))
  }
  return gradient
}
