// FastDense: the dense forward the executor runs: the bias is copied into the output rows
// and Gemm adds x·Wᵀ onto it (`rowBias`: each part of a split product fills its own block on
// its own thread), so no second pass over the output adds the bias; an activation that
// follows is applied the same way (`activation`, see ExecutionPlan.fusedActivations).
// R = rows (batch included), I = inputs, O = outputs.

import NetLangTensor

enum FastDense {
  /// y[R, O] = x[R, I]·W[O, I]ᵀ + b[O].
  static func forward(
    _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
    _ y: UnsafeMutablePointer<Float>, rows: Int, inputs: Int, outputs: Int,
    activation: Gemm.Activation? = nil, pool: WorkerPool?
  ) {
    Gemm.multiply(
      transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs,
      alpha: 1, a: x, lda: inputs, b: w, ldb: inputs, beta: 0, c: y, ldc: outputs,
      rowBias: bias, activation: activation, pool: pool)
  }
}
