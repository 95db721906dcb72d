// BatchNorm kernels: per-feature (or per-channel) normalisation, forward beside backward.
// B = batch, C = features or channels, S = spatial positions per channel (H·W, or 1 for
// [N] inputs), M = B·S values per channel. Layout [B, C, S].

import NetLangTensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

enum BatchNorm {
  typealias V = SIMD8<Float>

  /// `referenceForward`, channels split across `pool`, rows summed eight lanes at a time
  /// (each row's sum in Float, rows added in Double).
  static func forward(
    _ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
    runningMean: UnsafeMutablePointer<Float>, runningVariance: UnsafeMutablePointer<Float>,
    _ y: UnsafeMutablePointer<Float>, saved: UnsafeMutablePointer<Float>,
    batch: Int, channels: Int, spatial: Int, momentum: Float, epsilon: Float, training: Bool,
    pool: WorkerPool? = nil
  ) {
    let m = batch &* spatial
    forEachChannel(channels, batch: batch, spatial: spatial, pool: pool) { c in
      var batchStatistics: (mean: Float, squares: Double)?
      if training {
        var sum: Double = 0
        for b in 0..<batch {
          sum += Double(rowSum(x + (b &* channels &+ c) &* spatial, spatial))
        }
        let center = Float(sum / Double(m))
        var squares: Double = 0
        for b in 0..<batch {
          squares += Double(
            rowSum(x + (b &* channels &+ c) &* spatial, spatial, squaresAbout: center))
        }
        batchStatistics = (center, squares)
      }
      let (mean, inverse) = statistics(
        c, channels: channels, batch: batchStatistics, count: m, momentum: momentum,
        epsilon: epsilon, runningMean: runningMean, runningVariance: runningVariance,
        saved: saved)
      let scale = gamma[c], shift = beta[c]
      for b in 0..<batch {
        let offset = (b &* channels &+ c) &* spatial
        normalize(
          x + offset, y + offset, spatial, scale: scale, mean: mean, inverse: inverse,
          shift: shift)
      }
    }
  }

  /// `referenceBackward`, channels split across `pool`, rows summed eight lanes at a time.
  static func backward(
    _ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, saved: UnsafePointer<Float>,
    _ g: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
    dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>,
    batch: Int, channels: Int, spatial: Int, pool: WorkerPool? = nil
  ) {
    let m = Float(batch &* spatial)
    forEachChannel(channels, batch: batch, spatial: spatial, pool: pool) { c in
      let mean = saved[c], inverse = saved[channels &+ c]
      var sumG: Double = 0
      var sumGX: Double = 0
      for b in 0..<batch {
        let offset = (b &* channels &+ c) &* spatial
        let (rowG, rowGX) = gradientSums(
          g + offset, x + offset, spatial, mean: mean, inverse: inverse)
        sumG += Double(rowG)
        sumGX += Double(rowGX)
      }
      let totalG = Float(sumG), totalGX = Float(sumGX)
      dBeta[c] = totalG
      dGamma[c] = totalGX
      let factor = gamma[c] * inverse / m
      for b in 0..<batch {
        let offset = (b &* channels &+ c) &* spatial
        inputGradient(
          g + offset, x + offset, dx + offset, spatial, factor: factor, m: m, mean: mean,
          inverse: inverse, sumG: totalG, sumGX: totalGX)
      }
    }
  }

  /// Channel `c`'s mean and 1/√(var + eps), saved for the backward pass: the batch's (biased
  /// variance from Σ (x − mean)² over `count` values), which also move the running mean and
  /// unbiased variance by `momentum`, or without a batch (evaluation) the running ones.
  @inline(__always)
  private static func statistics(
    _ c: Int, channels: Int, batch: (mean: Float, squares: Double)?, count m: Int,
    momentum: Float, epsilon: Float, runningMean: UnsafeMutablePointer<Float>,
    runningVariance: UnsafeMutablePointer<Float>, saved: UnsafeMutablePointer<Float>
  ) -> (mean: Float, inverse: Float) {
    var mean = runningMean[c]
    var variance = runningVariance[c]
    if let batch {
      mean = batch.mean
      variance = Float(batch.squares / Double(m))
      let unbiased = m > 1 ? Float(batch.squares / Double(m - 1)) : variance
      runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean
      runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * unbiased
    }
    let inverse = 1 / sqrtf(variance + epsilon)
    saved[c] = mean
    saved[channels &+ c] = inverse
    return (mean, inverse)
  }

  /// Calls `body(c)` for every channel, in parts across `pool` when the work is big enough.
  private static func forEachChannel(
    _ channels: Int, batch: Int, spatial: Int, pool: WorkerPool?, _ body: (Int) -> Void
  ) {
    let work = channels &* batch &* spatial
    let parts = min(pool?.threads ?? 1, channels, work / Parallel.minimumElementsPerPart)
    guard let pool, parts > 1 else {
      for c in 0..<channels { body(c) }
      return
    }
    pool.run(parts: parts) { part in
      for c in (channels &* part / parts)..<(channels &* (part &+ 1) / parts) { body(c) }
    }
  }

  // NOTE: the row loops are written out, not passed as closures to one helper: LLVM then
  // left the closure as a call per vector.

  /// Σ (p[i] − center)² (no center: Σ p[i]) over `count` values, eight Float lanes, then the tail.
  @inline(__always)
  private static func rowSum(
    _ p: UnsafePointer<Float>, _ count: Int, squaresAbout center: Float? = nil
  ) -> Float {
    var lanes = V()
    var i = 0
    if let center {
      let c = V(repeating: center)
      while i &+ 8 <= count {
        let d = UnsafeRawPointer(p + i).loadUnaligned(as: V.self) - c
        lanes += d * d
        i &+= 8
      }
    } else {
      while i &+ 8 <= count {
        lanes += UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
        i &+= 8
      }
    }
    var total = lanes.sum()
    while i < count {
      let d = p[i] - (center ?? 0)
      total += center == nil ? p[i] : d * d
      i &+= 1
    }
    return total
  }

  /// y = scale·(x − mean)·inverse + shift over a row.
  @inline(__always)
  private static func normalize(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int,
    scale: Float, mean: Float, inverse: Float, shift: Float
  ) {
    let (s, m, v, t) = (
      V(repeating: scale), V(repeating: mean), V(repeating: inverse), V(repeating: shift)
    )
    var i = 0
    while i &+ 8 <= count {
      let value = s * (UnsafeRawPointer(x + i).loadUnaligned(as: V.self) - m) * v + t
      UnsafeMutableRawPointer(y + i).storeBytes(of: value, as: V.self)
      i &+= 8
    }
    while i < count {
      y[i] = scale * (x[i] - mean) * inverse + shift
      i &+= 1
    }
  }

  /// (Σ g, Σ g·(x − mean)·inverse) over a row.
  @inline(__always)
  private static func gradientSums(
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int, mean: Float,
    inverse: Float
  ) -> (Float, Float) {
    let (m, v) = (V(repeating: mean), V(repeating: inverse))
    var sumG = V(), sumGX = V()
    var i = 0
    while i &+ 8 <= count {
      let gv = UnsafeRawPointer(g + i).loadUnaligned(as: V.self)
      sumG += gv
      sumGX += gv * (UnsafeRawPointer(x + i).loadUnaligned(as: V.self) - m) * v
      i &+= 8
    }
    var totals = (sumG.sum(), sumGX.sum())
    while i < count {
      totals.0 += g[i]
      totals.1 += g[i] * (x[i] - mean) * inverse
      i &+= 1
    }
    return totals
  }

  /// dx = factor·(M·g − ΣG − x̂·ΣGX̂) over a row, x̂ = (x − mean)·inverse.
  @inline(__always)
  private static func inputGradient(
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    _ count: Int, factor: Float, m: Float, mean: Float, inverse: Float, sumG: Float,
    sumGX: Float
  ) {
    let (f, mv, meanV, inv) = (
      V(repeating: factor), V(repeating: m), V(repeating: mean), V(repeating: inverse)
    )
    let (sg, sgx) = (V(repeating: sumG), V(repeating: sumGX))
    var i = 0
    while i &+ 8 <= count {
      let xHat = (UnsafeRawPointer(x + i).loadUnaligned(as: V.self) - meanV) * inv
      let value = f * (mv * UnsafeRawPointer(g + i).loadUnaligned(as: V.self) - sg - xHat * sgx)
      UnsafeMutableRawPointer(dx + i).storeBytes(of: value, as: V.self)
      i &+= 8
    }
    while i < count {
      let xHat = (x[i] - mean) * inverse
      dx[i] = factor * (m * g[i] - sumG - xHat * sumGX)
      i &+= 1
    }
  }

  /// Training: y = gamma·(x − mean)/√(var + eps) + beta with the batch's mean and biased
  /// variance; running stats move by `momentum` (running var uses the unbiased variance).
  ///
  /// Evaluation: the running stats. Saves mean and 1/√(var + eps) per channel in `saved`.
  /// The plain loops the fast kernels are tested against.
  static func referenceForward(
    _ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
    runningMean: UnsafeMutablePointer<Float>, runningVariance: UnsafeMutablePointer<Float>,
    _ y: UnsafeMutablePointer<Float>, saved: UnsafeMutablePointer<Float>,
    batch: Int, channels: Int, spatial: Int, momentum: Float, epsilon: Float, training: Bool
  ) {
    let m = batch * spatial
    for c in 0..<channels {
      var batchStatistics: (mean: Float, squares: Double)?
      if training {
        var sum: Double = 0
        for b in 0..<batch {
          let p = x + (b * channels + c) * spatial
          for s in 0..<spatial { sum += Double(p[s]) }
        }
        let batchMean = sum / Double(m)
        var squares: Double = 0
        for b in 0..<batch {
          let p = x + (b * channels + c) * spatial
          for s in 0..<spatial {
            let d = Double(p[s]) - batchMean
            squares += d * d
          }
        }
        batchStatistics = (Float(batchMean), squares)
      }
      let (mean, inverse) = statistics(
        c, channels: channels, batch: batchStatistics, count: m, momentum: momentum,
        epsilon: epsilon, runningMean: runningMean, runningVariance: runningVariance,
        saved: saved)
      for b in 0..<batch {
        let offset = (b * channels + c) * spatial
        for s in 0..<spatial {
          y[offset + s] = gamma[c] * (x[offset + s] - mean) * inverse + beta[c]
        }
      }
    }
  }

  /// With x̂ = (x − mean)·inv: dbeta = Σ g, dgamma = Σ g·x̂,
  /// dx = gamma·inv/M · (M·g − dbeta − x̂·dgamma) (batch statistics from the training pass).
  static func referenceBackward(
    _ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, saved: UnsafePointer<Float>,
    _ g: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
    dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>,
    batch: Int, channels: Int, spatial: Int
  ) {
    let m = Float(batch * spatial)
    for c in 0..<channels {
      let mean = saved[c], inverse = saved[channels + c]
      var sumG: Float = 0
      var sumGX: Float = 0
      for b in 0..<batch {
        let offset = (b * channels + c) * spatial
        for s in 0..<spatial {
          sumG += g[offset + s]
          sumGX += g[offset + s] * (x[offset + s] - mean) * inverse
        }
      }
      dBeta[c] = sumG
      dGamma[c] = sumGX
      let factor = gamma[c] * inverse / m
      for b in 0..<batch {
        let offset = (b * channels + c) * spatial
        for s in 0..<spatial {
          let xHat = (x[offset + s] - mean) * inverse
          dx[offset + s] = factor * (m * g[offset + s] - sumG - xHat * sumGX)
        }
      }
    }
  }
}
