// VectorArithmetic: the BLAS-1 style loops optimizers and gradient accumulation need.
//
// count = elements; x, y = input / in-out buffers; alpha = scalar.

/// Level-1 vector operations on contiguous Float buffers.
public enum VectorArithmetic {
  /// y += alpha · x.
  public static func axpy(
    alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
  ) {
    for i in 0..<count { y[i] += alpha * x[i] }
  }

  /// x *= alpha (alpha = 0 writes zeros, even over NaN).
  public static func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
    if alpha == 0 {
      x.update(repeating: 0, count: count)
    } else {
      for i in 0..<count { x[i] *= alpha }
    }
  }

  /// output = x + y elementwise (output may alias either input).
  public static func add(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    count: Int
  ) {
    for i in 0..<count { output[i] = x[i] + y[i] }
  }

  /// output = x ⊙ y elementwise (output may alias either input).
  public static func multiply(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    count: Int
  ) {
    for i in 0..<count { output[i] = x[i] * y[i] }
  }
}
