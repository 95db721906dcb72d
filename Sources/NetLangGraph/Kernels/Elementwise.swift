// Elementwise kernels: activations and scaling, each forward beside its backward. Simple
// loops over raw pointers; n = number of elements.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

enum Elementwise {
  static func copy(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    y.update(from: x, count: n)
  }

  static func scale(
    _ x: UnsafePointer<Float>, _ c: Float, _ y: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    for i in 0..<n { y[i] = c * x[i] }
  }

  static func reluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { y[i] = x[i] > 0 ? x[i] : 0 }
  }
  /// dx = g where x > 0 (0 at the kink).
  static func reluBackward(
    _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    _ n: Int
  ) {
    for i in 0..<n { dx[i] = x[i] > 0 ? g[i] : 0 }
  }

  static func leakyReluForward(
    _ x: UnsafePointer<Float>, _ slope: Float, _ y: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    for i in 0..<n { y[i] = x[i] > 0 ? x[i] : slope * x[i] }
  }
  static func leakyReluBackward(
    _ x: UnsafePointer<Float>, _ slope: Float, _ g: UnsafePointer<Float>,
    _ dx: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    for i in 0..<n { dx[i] = x[i] > 0 ? g[i] : slope * g[i] }
  }

  static func tanhForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { y[i] = tanhf(x[i]) }
  }
  /// dx = g·(1 − y²), from the output y.
  static func tanhBackward(
    _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    _ n: Int
  ) {
    for i in 0..<n { dx[i] = g[i] * (1 - y[i] * y[i]) }
  }

  /// Scalar tanh (libm), for kernels outside this file.
  @inline(__always) static func tanh(_ x: Float) -> Float { tanhf(x) }

  static func sigmoid(_ x: Float) -> Float {
    // NOTE: branch on the sign so exp never overflows.
    if x >= 0 { return 1 / (1 + expf(-x)) }
    let e = expf(x)
    return e / (1 + e)
  }
  static func sigmoidForward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    for i in 0..<n { y[i] = sigmoid(x[i]) }
  }
  /// dx = g·y·(1 − y), from the output y.
  static func sigmoidBackward(
    _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    _ n: Int
  ) {
    for i in 0..<n { dx[i] = g[i] * y[i] * (1 - y[i]) }
  }

  /// y = a + b elementwise (equal shapes), used to accumulate gradients.
  static func add(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    _ n: Int
  ) {
    for i in 0..<n { y[i] = a[i] + b[i] }
  }

  /// True when every element is finite.
  static func allFinite(_ x: UnsafePointer<Float>, _ n: Int) -> Bool {
    var sum: Float = 0
    for i in 0..<n { sum += x[i] * 0 }
    return sum == 0
  }
}
