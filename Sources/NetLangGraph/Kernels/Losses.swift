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
  /// e^−|z| and the log run on vectors, 256 elements at a time in a stack buffer; log(1 + e)
  /// instead of log1p(e) loses nothing that shows next to max(z, 0) − z·t.
  static func bceWithLogitsForward(
    _ z: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int
  ) -> Float {
    var total: Double = 0
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 256) { buffer in
      guard let softplus = buffer.baseAddress else { return }
      var start = 0
      while start < count {
        let n = min(256, count &- start)
        let zs = z + start, ts = t + start
        for i in 0..<n { softplus[i] = -abs(zs[i]) }
        VectorMath.exp(softplus, softplus, count: n)
        for i in 0..<n { softplus[i] = 1 + softplus[i] }
        VectorMath.log(softplus, softplus, count: n)
        // Four Double sums, so the adds do not wait on each other (one chain of Double adds
        // was most of this function's time).
        var sums = SIMD4<Double>()
        var i = 0
        while i &+ 4 <= n {
          var terms = SIMD4<Double>()
          for lane in 0..<4 {
            let x = zs[i &+ lane]
            terms[lane] = Double(max(x, 0) - x * ts[i &+ lane] + softplus[i &+ lane])
          }
          sums += terms
          i &+= 4
        }
        total += sums.sum()
        while i < n {
          let x = zs[i]
          total += Double(max(x, 0) - x * ts[i] + softplus[i])
          i &+= 1
        }
        start &+= n
      }
    }
    return Float(total / Double(count))
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
