// Gemm: C = alpha·op(A)·op(B) + beta·C on row-major Float matrices. Reference version; the
// kernels work replaces the body with a packed SIMD kernel and keeps this signature.
//
// M = rows of op(A) and C, N = columns of op(B) and C, K = the shared dimension.

/// General matrix multiply, row-major, like cblas_sgemm(CblasRowMajor, ...).
public enum Gemm {
  /// C[M×N] = alpha · op(A)[M×K] · op(B)[K×N] + beta · C. `lda`, `ldb`, `ldc` are row strides
  /// of A, B, C as stored (A is K×M when transposed). beta = 0 ignores C's old contents
  /// (even NaN).
  public static func multiply(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
    pool: WorkerPool? = nil
  ) {
    for i in 0..<m {
      for j in 0..<n {
        var sum: Float = 0
        for p in 0..<k {
          let x = transposeA ? a[p * lda + i] : a[i * lda + p]
          let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
          sum += x * y
        }
        let old = beta == 0 ? 0 : beta * c[i * ldc + j]
        c[i * ldc + j] = alpha * sum + old
      }
    }
  }
}
