// BatchNorm kernels: per-feature (or per-channel) normalisation, forward beside backward.
// B = batch, C = features or channels, S = spatial positions per channel (H·W, or 1 for
// [N] inputs), M = B·S values per channel. Layout [B, C, S].

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

enum BatchNorm {
  /// Training: y = gamma·(x − mean)/√(var + eps) + beta with the batch's mean and biased
  /// variance; running stats move by `momentum` (running var uses the unbiased variance).
  ///
  /// Evaluation: the running stats. Saves mean and 1/√(var + eps) per channel in `saved`.
  static func forward(
    _ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
    runningMean: UnsafeMutablePointer<Float>, runningVariance: UnsafeMutablePointer<Float>,
    _ y: UnsafeMutablePointer<Float>, saved: UnsafeMutablePointer<Float>,
    batch: Int, channels: Int, spatial: Int, momentum: Float, epsilon: Float, training: Bool
  ) {
    let m = batch * spatial
    for c in 0..<channels {
      var mean: Float
      var variance: Float
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
        mean = Float(batchMean)
        variance = Float(squares / Double(m))
        let unbiased = m > 1 ? Float(squares / Double(m - 1)) : variance
        runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean
        runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * unbiased
      } else {
        mean = runningMean[c]
        variance = runningVariance[c]
      }
      let inverse = 1 / sqrtf(variance + epsilon)
      saved[c] = mean
      saved[channels + c] = inverse
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
  static func backward(
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
