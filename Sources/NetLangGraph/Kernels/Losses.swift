// Regression and binary losses, forward beside backward. B = batch, N = all elements.
// Sums are accumulated in Double so the loss value does not depend on the batch size's rounding.

import NetLangTensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

enum Losses {
  /// ½ Σ (y − t)² / B.
  static func mseForward(
    _ y: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int, batch: Int
  ) -> Float {
    var total: Double = 0
    for i in 0..<count {
      let d = Double(y[i] - t[i])
      total += 0.5 * d * d
    }
    return Float(total / Double(batch))
  }
  /// dy = g·(y − t) / B.
  static func mseBackward(
    _ y: UnsafePointer<Float>, _ t: UnsafePointer<Float>, _ g: Float,
    _ dy: UnsafeMutablePointer<Float>, count: Int, batch: Int
  ) {
    let factor = g / Float(batch)
    for i in 0..<count { dy[i] = factor * (y[i] - t[i]) }
  }

  /// −mean(t·log p + (1 − t)·log(1 − p)), each log clamped at −100 (PyTorch BCELoss).
  static func bceForward(_ p: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int) -> Float
  {
    var total: Double = 0
    for i in 0..<count {
      let logP = max(Double(logf(p[i])), -100)
      let logQ = max(Double(logf(1 - p[i])), -100)
      total -= Double(t[i]) * logP + Double(1 - t[i]) * logQ
    }
    return Float(total / Double(count))
  }
  /// dp = g·(p − t) / max(p·(1 − p), 1e-12) / N (PyTorch's BCELoss backward) for the first
  /// `count` of N = `total` elements.
  static func bceBackward(
    _ p: UnsafePointer<Float>, _ t: UnsafePointer<Float>, _ g: Float,
    _ dp: UnsafeMutablePointer<Float>, count: Int, total: Int
  ) {
    let factor = g / Float(total)
    for i in 0..<count {
      dp[i] = factor * (p[i] - t[i]) / max(p[i] * (1 - p[i]), 1e-12)
    }
  }

  /// mean(max(z, 0) − z·t + log(1 + e^−|z|)): bce of sigmoid(z), stable for any z.
  ///
  /// e^−|z| and the log run on vectors, 256 elements at a time; log(1 + e) instead of
  /// log1p(e) loses nothing that shows next to max(z, 0) − z·t. With `terms` (`count` floats)
  /// and a pool, the terms are computed across the pool into `terms` first and added up after,
  /// in the same order: the same bits as on one thread.
  static func bceWithLogitsForward(
    _ z: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int,
    terms: UnsafeMutablePointer<Float>? = nil, pool: WorkerPool? = nil
  ) -> Float {
    let chunk = 256
    var total: Double = 0
    if let terms, let pool, pool.threads > 1, count >= 2 * Parallel.minimumElementsPerPart {
      Parallel.forRanges((count + chunk - 1) / chunk, elementsEach: chunk, pool: pool) {
        first, chunks in
        var start = first * chunk
        let end = min(count, (first + chunks) * chunk)
        while start < end {
          let n = min(chunk, end - start)
          bceTerms(z + start, t + start, into: terms + start, count: n)
          start += n
        }
      }
      var start = 0
      while start < count {
        let n = min(chunk, count - start)
        total = add(terms + start, count: n, to: total)
        start += n
      }
    } else {
      withUnsafeTemporaryAllocation(of: Float.self, capacity: chunk) { buffer in
        guard let buffer = buffer.baseAddress else { return }
        var start = 0
        while start < count {
          let n = min(chunk, count - start)
          bceTerms(z + start, t + start, into: buffer, count: n)
          total = add(buffer, count: n, to: total)
          start += n
        }
      }
    }
    return Float(total / Double(count))
  }

  /// out = max(z, 0) − z·t + log(1 + e^−|z|) over `count` elements (`out` may not alias z, t).
  private static func bceTerms(
    _ z: UnsafePointer<Float>, _ t: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
    count n: Int
  ) {
    for i in 0..<n { out[i] = -abs(z[i]) }
    VectorMath.exp(out, out, count: n)
    for i in 0..<n { out[i] = 1 + out[i] }
    VectorMath.log(out, out, count: n)
    for i in 0..<n {
      let x = z[i]
      out[i] = max(x, 0) - x * t[i] + out[i]
    }
  }

  /// `total` plus the `count` terms: four Double sums over groups of four (so the adds do not
  /// wait on each other; one chain of Double adds was most of the loss's time), then the rest
  /// one by one.
  private static func add(_ terms: UnsafePointer<Float>, count n: Int, to total: Double) -> Double {
    var total = total
    var sums = SIMD4<Double>()
    var i = 0
    while i &+ 4 <= n {
      sums += SIMD4(
        Double(terms[i]), Double(terms[i &+ 1]), Double(terms[i &+ 2]), Double(terms[i &+ 3]))
      i &+= 4
    }
    total += sums.sum()
    while i < n {
      total += Double(terms[i])
      i &+= 1
    }
    return total
  }

  /// dz = g·(sigmoid(z) − t) / N for the first `count` of N = `total` elements (the vector
  /// sigmoid the forward pass uses).
  static func bceWithLogitsBackward(
    _ z: UnsafePointer<Float>, _ t: UnsafePointer<Float>, _ g: Float,
    _ dz: UnsafeMutablePointer<Float>, count: Int, total: Int
  ) {
    let factor = g / Float(total)
    VectorMath.sigmoid(z, dz, count: count)
    for i in 0..<count { dz[i] = factor * (dz[i] - t[i]) }
  }
}
