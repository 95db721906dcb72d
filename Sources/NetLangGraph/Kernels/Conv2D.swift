// Conv2D kernels: im2col + Gemm per example, forward beside backward.
// B = batch, C = input channels, H, W = input height and width, F = filters,
// KH, KW = kernel size, OH, OW = output size, P = OH·OW, K = C·KH·KW.

import NetLangTensor

/// The sizes of one convolution, derived from the input shape, filter count and window.
struct ConvGeometry {
  var channels: Int, height: Int, width: Int
  var filters: Int
  var window: Window2D
  var outputHeight: Int { window.outputHeight(height) }
  var outputWidth: Int { window.outputWidth(width) }
  /// P = OH·OW.
  var positions: Int { outputHeight * outputWidth }
  /// K = C·KH·KW.
  var patch: Int { channels * window.kernelHeight * window.kernelWidth }
  var inputCount: Int { channels * height * width }

  init(input: Shape, filters: Int, window: Window2D) {
    channels = input[0]
    height = input[1]
    width = input[2]
    self.filters = filters
    self.window = window
  }
}

enum Conv2D {
  /// col[K, P] from one example x[C, H, W]; padding reads as 0.
  static func im2col(
    _ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, _ geo: ConvGeometry
  ) {
    let w = geo.window
    let oh = geo.outputHeight, ow = geo.outputWidth, p = geo.positions
    for c in 0..<geo.channels {
      for ki in 0..<w.kernelHeight {
        for kj in 0..<w.kernelWidth {
          let row = col + ((c * w.kernelHeight + ki) * w.kernelWidth + kj) * p
          for i in 0..<oh {
            let ih = i * w.strideHeight - w.paddingHeight + ki
            for j in 0..<ow {
              let iw = j * w.strideWidth - w.paddingWidth + kj
              let inside = ih >= 0 && ih < geo.height && iw >= 0 && iw < geo.width
              row[i * ow + j] = inside ? x[(c * geo.height + ih) * geo.width + iw] : 0
            }
          }
        }
      }
    }
  }

  /// dx[C, H, W] += the entries of col[K, P] scattered back (the adjoint of im2col).
  static func col2im(
    _ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ geo: ConvGeometry
  ) {
    let w = geo.window
    let oh = geo.outputHeight, ow = geo.outputWidth, p = geo.positions
    for c in 0..<geo.channels {
      for ki in 0..<w.kernelHeight {
        for kj in 0..<w.kernelWidth {
          let row = col + ((c * w.kernelHeight + ki) * w.kernelWidth + kj) * p
          for i in 0..<oh {
            let ih = i * w.strideHeight - w.paddingHeight + ki
            guard ih >= 0 && ih < geo.height else { continue }
            for j in 0..<ow {
              let iw = j * w.strideWidth - w.paddingWidth + kj
              guard iw >= 0 && iw < geo.width else { continue }
              dx[(c * geo.height + ih) * geo.width + iw] += row[i * ow + j]
            }
          }
        }
      }
    }
  }

  /// y[B, F, P] = W[F, K]·col_b[K, P] + bias[F], example by example.
  static func forward(
    _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
    _ y: UnsafeMutablePointer<Float>, col: UnsafeMutablePointer<Float>, batch: Int,
    _ geo: ConvGeometry, pool: WorkerPool?
  ) {
    let p = geo.positions, k = geo.patch, f = geo.filters
    for b in 0..<batch {
      im2col(x + b * geo.inputCount, col, geo)
      let yb = y + b * f * p
      Gemm.multiply(
        transposeA: false, transposeB: false, m: f, n: p, k: k, alpha: 1, a: weight, lda: k,
        b: col, ldb: p, beta: 0, c: yb, ldc: p, pool: pool)
      guard let bias else { continue }
      for filter in 0..<f {
        for i in 0..<p { yb[filter * p + i] += bias[filter] }
      }
    }
  }

  /// dx[B, C, H, W], dW[F, K] = Σ_b g_b·col_bᵀ, db[F] = Σ_b Σ_p g_b.
  ///
  /// `dcol` is scratch [K, P].
  static func backward(
    _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, dWeight: UnsafeMutablePointer<Float>,
    dBias: UnsafeMutablePointer<Float>, col: UnsafeMutablePointer<Float>,
    dcol: UnsafeMutablePointer<Float>, batch: Int, _ geo: ConvGeometry, pool: WorkerPool?
  ) {
    let p = geo.positions, k = geo.patch, f = geo.filters
    dx.update(repeating: 0, count: batch * geo.inputCount)
    dBias.update(repeating: 0, count: f)
    for b in 0..<batch {
      let gb = g + b * f * p
      im2col(x + b * geo.inputCount, col, geo)
      Gemm.multiply(
        transposeA: false, transposeB: true, m: f, n: k, k: p, alpha: 1, a: gb, lda: p,
        b: col, ldb: p, beta: b == 0 ? 0 : 1, c: dWeight, ldc: k, pool: pool)
      for filter in 0..<f {
        var sum: Float = 0
        for i in 0..<p { sum += gb[filter * p + i] }
        dBias[filter] += sum
      }
      Gemm.multiply(
        transposeA: true, transposeB: false, m: k, n: p, k: f, alpha: 1, a: weight, lda: k,
        b: gb, ldb: p, beta: 0, c: dcol, ldc: p, pool: pool)
      col2im(dcol, dx + b * geo.inputCount, geo)
    }
  }
}
