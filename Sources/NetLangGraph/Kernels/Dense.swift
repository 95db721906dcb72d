// Dense kernels: y = x·Wᵀ + b on the last axis, through Gemm. R = rows (every index but the
// last axis, batch included), I = input features, O = output features.

import NetLangTensor

enum Dense {
  /// y[R, O] = x[R, I]·W[O, I]ᵀ + b[O].
  static func forward(
    _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
    _ y: UnsafeMutablePointer<Float>, rows: Int, inputs: Int, outputs: Int, pool: WorkerPool?
  ) {
    Gemm.multiply(
      transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs,
      alpha: 1, a: x, lda: inputs, b: w, ldb: inputs, beta: 0, c: y, ldc: outputs, pool: pool)
    guard let bias else { return }
    for r in 0..<rows {
      let py = y + r * outputs
      for o in 0..<outputs { py[o] += bias[o] }
    }
  }

  /// dx[R, I] = g[R, O]·W[O, I].
  static func inputGradient(
    _ g: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    rows: Int, inputs: Int, outputs: Int, pool: WorkerPool?
  ) {
    Gemm.multiply(
      transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs,
      alpha: 1, a: g, lda: outputs, b: w, ldb: inputs, beta: 0, c: dx, ldc: inputs, pool: pool)
  }

  /// dW[O, I] = g[R, O]ᵀ·x[R, I].
  static func weightGradient(
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dw: UnsafeMutablePointer<Float>,
    rows: Int, inputs: Int, outputs: Int, consumer: (any GemmBlockConsumer)? = nil,
    pool: WorkerPool?
  ) {
    Gemm.multiply(
      transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows,
      alpha: 1, a: g, lda: outputs, b: x, ldb: inputs, beta: 0, c: dw, ldc: inputs,
      consumer: consumer, pool: pool)
  }
}
