// RBMMath: the matrix products and elementwise maps an RBM needs, over whole arrays, every
// product through Gemm.
//
// B = batch size, V = visible units, H = hidden units; W is H×V row-major.

import NetLangTensor

/// Array-level helpers for `RBM`.
enum RBMMath {
  /// C = alpha·op(A)·op(B) + beta·C through `Gemm.multiply` (dense row-major operands), each
  /// matrix starting at its offset in its array.
  /// With a `rowBias` (N values), C starts as the bias in every row (see `Gemm.multiply`);
  /// with `logistic`, C ends as logistic(C) (applied by each part of a split product to its own
  /// block, the same bits as `logistic(_:)` after it).
  static func multiply(
    transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Float = 1, _ a: [Float], _ b: [Float], beta: Float = 0, rowBias: [Float]? = nil,
    logistic: Bool = false, consumer: (any GemmBlockConsumer)? = nil, into c: inout [Float],
    offsets: (a: Int, b: Int, c: Int) = (0, 0, 0), pool: WorkerPool? = nil
  ) {
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        c.withUnsafeMutableBufferPointer { cp in
          guard let a = ap.baseAddress.map({ $0 + offsets.a }),
            let b = bp.baseAddress.map({ $0 + offsets.b }),
            let c = cp.baseAddress.map({ $0 + offsets.c })
          else { return }
          func product(_ bias: UnsafePointer<Float>?) {
            Gemm.multiply(
              transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
              a: a, lda: transposeA ? m : k, b: b, ldb: transposeB ? k : n, beta: beta, c: c,
              ldc: n, rowBias: bias,
              activation: logistic ? Gemm.Activation(.sigmoid, output: c, ldo: n) : nil,
              consumer: consumer, pool: pool)
          }
          guard let rowBias else { return product(nil) }
          rowBias.withUnsafeBufferPointer { product($0.baseAddress) }
        }
      }
    }
  }

  /// out[B×H] = visible[B×V]·Wᵀ + bias, then the logistic when `logistic` (Bernoulli units);
  /// `visible` from `offsets.visible`, `out` from `offsets.out`.
  static func hiddenActivation(
    _ visible: [Float], count: Int, weights: [Float], bias: [Float], visibleCount: Int,
    hiddenCount: Int, logistic: Bool, into out: inout [Float],
    offsets: (visible: Int, out: Int) = (0, 0), pool: WorkerPool? = nil
  ) {
    multiply(
      transposeB: true, m: count, n: hiddenCount, k: visibleCount, visible, weights,
      rowBias: bias, logistic: logistic, into: &out, offsets: (offsets.visible, 0, offsets.out),
      pool: pool)
  }

  /// out[B×V] = logistic(hidden[B×H]·W + bias), `out` from `outOffset`.
  static func visibleProbabilities(
    _ hidden: [Float], count: Int, weights: [Float], bias: [Float], visibleCount: Int,
    hiddenCount: Int, into out: inout [Float], outOffset: Int = 0, pool: WorkerPool? = nil
  ) {
    multiply(
      m: count, n: visibleCount, k: hiddenCount, hidden, weights, rowBias: bias, logistic: true,
      into: &out, offsets: (0, 0, outOffset), pool: pool)
  }

  /// Σ (a − b)² in Double (four interleaved partial sums) over all of `a` and as many values of
  /// `b` from `bOffset`.
  static func squaredError(_ a: [Float], _ b: [Float], bOffset: Int = 0) -> Double {
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        let n = min(a.count, b.count - bOffset)
        guard n > 0, let a = a.baseAddress, let b = b.baseAddress.map({ $0 + bOffset }) else {
          return 0
        }
        var partial: (Double, Double, Double, Double) = (0, 0, 0, 0)
        var i = 0
        while i &+ 4 <= n {
          let d0 = Double(a[i]) - Double(b[i]), d1 = Double(a[i &+ 1]) - Double(b[i &+ 1])
          let d2 = Double(a[i &+ 2]) - Double(b[i &+ 2]), d3 = Double(a[i &+ 3]) - Double(b[i &+ 3])
          partial.0 += d0 * d0
          partial.1 += d1 * d1
          partial.2 += d2 * d2
          partial.3 += d3 * d3
          i &+= 4
        }
        var total = (partial.0 + partial.1) + (partial.2 + partial.3)
        while i < n {
          let d = Double(a[i]) - Double(b[i])
          total += d * d
          i &+= 1
        }
        return total
      }
    }
  }

  /// Column sums of a rows×width matrix starting at `offset` in `m`, into `out` (width
  /// values), rows added in order.
  static func columnSums(
    _ m: [Float], offset: Int = 0, rows: Int, width: Int, into out: inout [Float]
  ) {
    m.withUnsafeBufferPointer { m in
      out.withUnsafeMutableBufferPointer { out in
        guard let source = m.baseAddress.map({ $0 + offset }), let target = out.baseAddress
        else { return }
        Pointwise.sumRows(source, rows: rows, columns: width, into: target)
      }
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

  /// Δ ← momentum·Δ + learningRate·(scale·gradient − weightDecay·θ); θ ← θ + Δ, on SIMD8
  /// vectors with the same per-element arithmetic, split across the pool when big.
  static func momentumStep(
    parameters: inout [Float], velocity: inout [Float], gradient: [Float], scale: Float,
    learningRate: Float, momentum: Float, weightDecay: Float, pool: WorkerPool? = nil
  ) {
    let n = min(parameters.count, velocity.count, gradient.count)
    parameters.withUnsafeMutableBufferPointer { p in
      velocity.withUnsafeMutableBufferPointer { d in
        gradient.withUnsafeBufferPointer { g in
          guard let p = p.baseAddress, let d = d.baseAddress, let g = g.baseAddress else { return }
          Parallel.forRanges(n, pool: pool) { start, count in
            momentumStep(
              p + start, d + start, g + start, count: count, scale: scale,
              learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
          }
        }
      }
    }
  }

  /// `momentumStep` on `count` elements from pointers (the same arithmetic per element).
  static func momentumStep(
    _ p: UnsafeMutablePointer<Float>, _ d: UnsafeMutablePointer<Float>,
    _ g: UnsafePointer<Float>, count: Int, scale: Float, learningRate: Float, momentum: Float,
    weightDecay: Float
  ) {
    typealias V = SIMD8<Float>
    var i = 0
    while i &+ 8 <= count {
      let pv = UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
      let gv = UnsafeRawPointer(g + i).loadUnaligned(as: V.self)
      let dv = UnsafeRawPointer(d + i).loadUnaligned(as: V.self)
      let step = scale * gv - weightDecay * pv
      let delta = momentum * dv + learningRate * step
      UnsafeMutableRawPointer(d + i).storeBytes(of: delta, as: V.self)
      UnsafeMutableRawPointer(p + i).storeBytes(of: pv + delta, as: V.self)
      i &+= 8
    }
    while i < count {
      let step = scale * g[i] - weightDecay * p[i]
      d[i] = momentum * d[i] + learningRate * step
      p[i] += d[i]
      i &+= 1
    }
  }
}

/// The weights' momentum step applied to each block of the weight gradient as the statistics'
/// product finishes it, while it is in cache (see `FusedUpdates`); the parts of a split product
/// call it from their threads, each for its own blocks.
final class MomentumBlocks: GemmBlockConsumer, @unchecked Sendable {
  var parameters: UnsafeMutablePointer<Float>?
  var velocity: UnsafeMutablePointer<Float>?
  var width = 0
  var scale: Float = 1
  var learningRate: Float = 0
  var momentum: Float = 0
  var weightDecay: Float = 0

  func consume(
    row: Int, column: Int, rows: Int, columns: Int, values: UnsafePointer<Float>, stride: Int
  ) {
    guard let parameters, let velocity else { return }
    for r in 0..<rows {
      let start = (row &+ r) &* width &+ column
      RBMMath.momentumStep(
        parameters + start, velocity + start, values + r &* stride, count: columns,
        scale: scale, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
    }
  }
}
