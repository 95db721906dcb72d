// RBMMath: the matrix products and elementwise maps an RBM needs, over whole arrays, every
// product through Gemm.
//
// B = batch size, V = visible units, H = hidden units; W is H×V row-major.

import NetLangTensor

/// Array-level helpers for `RBM`.
enum RBMMath {
  /// C = alpha·op(A)·op(B) + beta·C through `Gemm.multiply`.
  static func multiply(
    transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Float = 1, _ a: [Float], _ b: [Float], beta: Float = 0, into c: inout [Float],
    pool: WorkerPool? = nil
  ) {
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        c.withUnsafeMutableBufferPointer { cp in
          guard let a = ap.baseAddress, let b = bp.baseAddress, let c = cp.baseAddress else {
            return
          }
          Gemm.multiply(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a,
            lda: transposeA ? m : k, b: b, ldb: transposeB ? k : n, beta: beta, c: c, ldc: n,
            pool: pool)
        }
      }
    }
  }

  /// out[B×H] = visible[B×V]·Wᵀ + bias (before the hidden nonlinearity).
  static func hiddenActivation(
    _ visible: [Float], count: Int, weights: [Float], bias: [Float], visibleCount: Int,
    hiddenCount: Int, into out: inout [Float], pool: WorkerPool? = nil
  ) {
    fillRows(&out, with: bias, count: count)
    multiply(
      transposeB: true, m: count, n: hiddenCount, k: visibleCount, visible, weights, beta: 1,
      into: &out, pool: pool)
  }

  /// out[B×V] = hidden[B×H]·W + bias (before the logistic).
  static func visibleActivation(
    _ hidden: [Float], count: Int, weights: [Float], bias: [Float], visibleCount: Int,
    hiddenCount: Int, into out: inout [Float], pool: WorkerPool? = nil
  ) {
    fillRows(&out, with: bias, count: count)
    multiply(
      m: count, n: visibleCount, k: hiddenCount, hidden, weights, beta: 1, into: &out,
      pool: pool)
  }

  /// Every row of `out` (count rows of bias.count) set to `bias`.
  static func fillRows(_ out: inout [Float], with bias: [Float], count: Int) {
    let width = bias.count
    out.withUnsafeMutableBufferPointer { o in
      bias.withUnsafeBufferPointer { b in
        for i in 0..<count {
          for j in 0..<width { o[i * width + j] = b[j] }
        }
      }
    }
  }

  /// x ← 1 / (1 + e^{−x}) elementwise.
  static func logistic(_ x: inout [Float]) {
    x.withUnsafeMutableBufferPointer { p in
      for i in p.indices { p[i] = 1 / (1 + MathShim.expf(-p[i])) }
    }
  }

  /// Σ (a − b)² in Double.
  static func squaredError(_ a: [Float], _ b: [Float]) -> Double {
    var total = 0.0
    for (x, y) in zip(a, b) {
      let d = Double(x) - Double(y)
      total += d * d
    }
    return total
  }

  /// Column sums of a rows×width matrix, into `out` (width values).
  static func columnSums(_ m: [Float], rows: Int, width: Int, into out: inout [Float]) {
    for j in 0..<width { out[j] = 0 }
    for i in 0..<rows {
      for j in 0..<width { out[j] += m[i * width + j] }
    }
  }

  /// a ← a − b elementwise.
  static func subtract(_ b: [Float], from a: inout [Float]) {
    a.withUnsafeMutableBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        for i in 0..<min(ap.count, bp.count) { ap[i] -= bp[i] }
      }
    }
  }

  /// Δ ← momentum·Δ + learningRate·(scale·gradient − weightDecay·θ); θ ← θ + Δ.
  static func momentumStep(
    parameters: inout [Float], velocity: inout [Float], gradient: [Float], scale: Float,
    learningRate: Float, momentum: Float, weightDecay: Float
  ) {
    parameters.withUnsafeMutableBufferPointer { p in
      velocity.withUnsafeMutableBufferPointer { d in
        gradient.withUnsafeBufferPointer { g in
          for i in 0..<min(p.count, d.count, g.count) {
            let step = scale * g[i] - weightDecay * p[i]
            d[i] = momentum * d[i] + learningRate * step
            p[i] += d[i]
          }
        }
      }
    }
  }
}
