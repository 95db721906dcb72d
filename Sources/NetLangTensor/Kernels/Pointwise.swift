// Pointwise: the executor's elementwise loops written on SIMD8 vectors (the scalar versions
// branch per element and do not vectorize): relu, leaky relu, the tanh/sigmoid derivatives,
// scaling, bias rows and column sums. Same operation order as the scalar loops, so results
// are bit-identical to them.
//
// n = elements; x = input, y = output, g = incoming gradient, dx = outgoing gradient.

import NetLangKernelsAVX2
import NetLangKernelsAVX512

/// SIMD8 elementwise loops over contiguous Float buffers.
public enum Pointwise {
  @usableFromInline @inline(__always)
  static func load(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
  }

  @usableFromInline @inline(__always)
  static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD8<Float>.self)
  }

  /// y = x where x > 0, else 0 (NaN becomes 0, like `x > 0 ? x : 0`).
  public static func relu(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int
  ) {
    var i = 0
    while i &+ 8 <= n {
      let v = load(x, i)
      store(v.replacing(with: 0, where: .!(v .> 0)), y, i)
      i &+= 8
    }
    while i < n {
      y[i] = x[i] > 0 ? x[i] : 0
      i &+= 1
    }
  }

  /// dx = g where x > 0, else 0.
  public static func reluBackward(
    _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    count n: Int
  ) {
    var i = 0
    while i &+ 8 <= n {
      store(load(g, i).replacing(with: 0, where: .!(load(x, i) .> 0)), dx, i)
      i &+= 8
    }
    while i < n {
      dx[i] = x[i] > 0 ? g[i] : 0
      i &+= 1
    }
  }

  /// y = x where x > 0, else slope·x.
  public static func leakyRelu(
    _ x: UnsafePointer<Float>, slope: Float, _ y: UnsafeMutablePointer<Float>, count n: Int
  ) {
    var i = 0
    while i &+ 8 <= n {
      let v = load(x, i)
      store((slope * v).replacing(with: v, where: v .> 0), y, i)
      i &+= 8
    }
    while i < n {
      y[i] = x[i] > 0 ? x[i] : slope * x[i]
      i &+= 1
    }
  }

  /// dx = g where x > 0, else slope·g.
  public static func leakyReluBackward(
    _ x: UnsafePointer<Float>, slope: Float, _ g: UnsafePointer<Float>,
    _ dx: UnsafeMutablePointer<Float>, count n: Int
  ) {
    var i = 0
    while i &+ 8 <= n {
      let v = load(g, i)
      store((slope * v).replacing(with: v, where: load(x, i) .> 0), dx, i)
      i &+= 8
    }
    while i < n {
      dx[i] = x[i] > 0 ? g[i] : slope * g[i]
      i &+= 1
    }
  }

  /// dx = g·(1 − y²), from the tanh output y.
  public static func tanhBackward(
    _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    count n: Int
  ) {
    var i = 0
    while i &+ 8 <= n {
      let v = load(y, i)
      store(load(g, i) * (1 - v * v), dx, i)
      i &+= 8
    }
    while i < n {
      dx[i] = g[i] * (1 - y[i] * y[i])
      i &+= 1
    }
  }

  /// dx = g·y·(1 − y), from the sigmoid output y.
  public static func sigmoidBackward(
    _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    count n: Int
  ) {
    var i = 0
    while i &+ 8 <= n {
      let v = load(y, i)
      store(load(g, i) * v * (1 - v), dx, i)
      i &+= 8
    }
    while i < n {
      dx[i] = g[i] * y[i] * (1 - y[i])
      i &+= 1
    }
  }

  /// y = c·x.
  public static func scale(
    _ x: UnsafePointer<Float>, by c: Float, _ y: UnsafeMutablePointer<Float>, count n: Int
  ) {
    var i = 0
    while i &+ 8 <= n {
      store(c * load(x, i), y, i)
      i &+= 8
    }
    while i < n {
      y[i] = c * x[i]
      i &+= 1
    }
  }

  /// y = x + c.
  public static func addScalar(
    _ x: UnsafePointer<Float>, _ c: Float, _ y: UnsafeMutablePointer<Float>, count n: Int
  ) {
    var i = 0
    while i &+ 8 <= n {
      store(load(x, i) + c, y, i)
      i &+= 8
    }
    while i < n {
      y[i] = x[i] + c
      i &+= 1
    }
  }

  /// y = x for short runs (a library memcpy call costs more than the copy below ~64 floats).
  @inlinable @inline(__always)
  public static func copy(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int
  ) {
    var i = 0
    while i &+ 8 <= n {
      store(load(x, i), y, i)
      i &+= 8
    }
    // A 12-float panel row is one 8-wide and one 4-wide move, not 8 + 4 scalar ones.
    if i &+ 4 <= n {
      let four = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Float>.self)
      UnsafeMutableRawPointer(y + i).storeBytes(of: four, as: SIMD4<Float>.self)
      i &+= 4
    }
    while i < n {
      y[i] = x[i]
      i &+= 1
    }
  }

  /// y[0..<n] = 0 a vector at a time: for the short runs (padding edges) a memset call costs
  /// more than it writes.
  @inlinable @inline(__always)
  public static func zero(_ y: UnsafeMutablePointer<Float>, count n: Int) {
    var i = 0
    while i &+ 8 <= n {
      store(SIMD8<Float>(), y, i)
      i &+= 8
    }
    while i < n {
      y[i] = 0
      i &+= 1
    }
  }

  /// y[c] = Σ_r x[r, c] over an R × C row-major block, rows added in order (like the
  /// scalar `y[c] += x[r, c]` loop).
  public static func sumRows(
    _ x: UnsafePointer<Float>, rows: Int, columns: Int, into y: UnsafeMutablePointer<Float>
  ) {
    sumRows(x, rows: rows, columns: columns, stride: columns, into: y)
  }

  /// `sumRows` with the columns split across the pool; each column is still summed in row
  /// order, so the result does not depend on the thread count.
  public static func sumRows(
    _ x: UnsafePointer<Float>, rows: Int, columns: Int, into y: UnsafeMutablePointer<Float>,
    pool: WorkerPool?
  ) {
    Parallel.forRanges(columns, elementsEach: rows, pool: pool) { first, count in
      sumRows(x + first, rows: rows, columns: count, stride: columns, into: y + first)
    }
  }

  /// y[c] = Σ_r x[r·stride + c] for c < columns: the column sums of `columns` columns of a
  /// matrix whose rows are `stride` apart (a slice of a wider matrix).
  public static func sumRows(
    _ x: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int,
    into y: UnsafeMutablePointer<Float>
  ) {
    var c = 0
    // 32 columns at a time: four independent sums per row instead of one dependency chain.
    while c &+ 32 <= columns {
      var t0 = SIMD8<Float>(), t1 = t0, t2 = t0, t3 = t0
      for r in 0..<rows {
        let row = x + (r &* stride &+ c)
        t0 += load(row, 0)
        t1 += load(row, 8)
        t2 += load(row, 16)
        t3 += load(row, 24)
      }
      store(t0, y, c)
      store(t1, y, c &+ 8)
      store(t2, y, c &+ 16)
      store(t3, y, c &+ 24)
      c &+= 32
    }
    while c &+ 8 <= columns {
      var total = SIMD8<Float>()
      for r in 0..<rows { total += load(x, r &* stride &+ c) }
      store(total, y, c)
      c &+= 8
    }
    while c < columns {
      var total: Float = 0
      for r in 0..<rows { total += x[r &* stride &+ c] }
      y[c] = total
      c &+= 1
    }
  }

  /// SGD with momentum in place, as torch.optim.SGD:
  /// g = ∇ + decay·p; v = g (first step) or mu·v + keep·g; p = p − lr·v (Nesterov:
  /// p − lr·(g + mu·v)).
  ///
  /// The same arithmetic (multiply then add) on the widest vectors this CPU has (generated,
  /// Tests/Tools/generate_updates.py), or on `implementation`'s: the bits do not depend on
  /// which.
  public static func sgdMomentum(
    _ p: UnsafeMutablePointer<Float>, _ gradient: UnsafePointer<Float>,
    _ v: UnsafeMutablePointer<Float>, count n: Int, learningRate: Float, momentum mu: Float,
    keep: Float, weightDecay: Float, firstStep: Bool, nesterov: Bool
  ) {
    sgdMomentum(
      p, gradient, v, count: n, learningRate: learningRate, momentum: mu, keep: keep,
      weightDecay: weightDecay, firstStep: firstStep, nesterov: nesterov, using: .best)
  }

  package static func sgdMomentum(
    _ p: UnsafeMutablePointer<Float>, _ gradient: UnsafePointer<Float>,
    _ v: UnsafeMutablePointer<Float>, count n: Int, learningRate: Float, momentum mu: Float,
    keep: Float, weightDecay: Float, firstStep: Bool, nesterov: Bool,
    using implementation: VectorMath.Implementation
  ) {
    let rate = -learningRate
    switch implementation {
    case .avx512:
      UpdatesAVX512.sgdMomentum(
        p, gradient, v, count: n, rate: rate, momentum: mu, keep: keep, weightDecay: weightDecay,
        firstStep: firstStep, nesterov: nesterov)
    case .avx2:
      UpdatesAVX2.sgdMomentum(
        p, gradient, v, count: n, rate: rate, momentum: mu, keep: keep, weightDecay: weightDecay,
        firstStep: firstStep, nesterov: nesterov)
    case .portable:
      UpdatesPortable.sgdMomentum(
        p, gradient, v, count: n, rate: rate, momentum: mu, keep: keep, weightDecay: weightDecay,
        firstStep: firstStep, nesterov: nesterov)
    }
  }

  /// Adam in place, as torch.optim.Adam (single-tensor path), on SIMD8 vectors with the
  /// scalar loop's per-element arithmetic:
  /// g = ∇ + decay·p; m = lerp(m, g, weight); v = β₂·v + (1 − β₂)·g²;
  /// p = p − stepSize · m / (√v / √(1 − β₂ᵗ) + ε).
  public static func adam(
    _ p: UnsafeMutablePointer<Float>, _ gradient: UnsafePointer<Float>,
    _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, count n: Int,
    stepSize: Float, correction2Root: Float, weight: Float, beta2: Float, oneMinusBeta2: Float,
    epsilon: Float, weightDecay: Float
  ) {
    // torch's lerp: start + w·(end − start) for w < 0.5, else end − (end − start)·(1 − w).
    let lowWeight = weight < 0.5
    let keep = 1 - weight
    let rate = -stepSize
    var i = 0
    while i &+ 8 <= n {
      let pv = load(p, i)
      var g = load(gradient, i)
      if weightDecay != 0 { g = g + weightDecay * pv }
      let mv = load(m, i)
      let first = lowWeight ? mv + weight * (g - mv) : g - (g - mv) * keep
      let second = load(v, i) * beta2 + oneMinusBeta2 * (g * g)
      let denominator = second.squareRoot() / correction2Root + epsilon
      store(first, m, i)
      store(second, v, i)
      store(pv + rate * (first / denominator), p, i)
      i &+= 8
    }
    while i < n {
      let g = weightDecay != 0 ? gradient[i] + weightDecay * p[i] : gradient[i]
      m[i] = lowWeight ? m[i] + weight * (g - m[i]) : g - (g - m[i]) * keep
      v[i] = v[i] * beta2 + oneMinusBeta2 * (g * g)
      let denominator = v[i].squareRoot() / correction2Root + epsilon
      p[i] = p[i] + rate * (m[i] / denominator)
      i &+= 1
    }
  }
}
