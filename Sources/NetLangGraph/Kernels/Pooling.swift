// Pooling kernels: max and average over 2-D windows, forward beside backward.
// B = batch, C = channels, H, W = input size, OH, OW = output size.

enum Pooling {
  /// y = max over each window (padding never wins).
  static func maxForward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, planes: Int, height: Int,
    width: Int, _ w: Window2D
  ) {
    let oh = w.outputHeight(height), ow = w.outputWidth(width)
    for plane in 0..<planes {
      let px = x + plane * height * width
      for i in 0..<oh {
        for j in 0..<ow {
          y[(plane * oh + i) * ow + j] = px[argmax(px, i, j, height, width, w)]
        }
      }
    }
  }

  /// Offset (within one plane) of the first maximum of window (i, j).
  @inline(__always)
  static func argmax(
    _ px: UnsafePointer<Float>, _ i: Int, _ j: Int, _ height: Int, _ width: Int, _ w: Window2D
  ) -> Int {
    var best = -1
    for ki in 0..<w.kernelHeight {
      let ih = i * w.strideHeight - w.paddingHeight + ki
      guard ih >= 0 && ih < height else { continue }
      for kj in 0..<w.kernelWidth {
        let iw = j * w.strideWidth - w.paddingWidth + kj
        guard iw >= 0 && iw < width else { continue }
        let offset = ih * width + iw
        if best < 0 || px[offset] > px[best] { best = offset }
      }
    }
    return max(best, 0)
  }

  /// dx: each g goes to its window's first maximum (+=, windows may overlap).
  static func maxBackward(
    _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    planes: Int, height: Int, width: Int, _ w: Window2D
  ) {
    let oh = w.outputHeight(height), ow = w.outputWidth(width)
    dx.update(repeating: 0, count: planes * height * width)
    for plane in 0..<planes {
      let px = x + plane * height * width
      let pd = dx + plane * height * width
      for i in 0..<oh {
        for j in 0..<ow {
          pd[argmax(px, i, j, height, width, w)] += g[(plane * oh + i) * ow + j]
        }
      }
    }
  }

  /// y = Σ window / (KH·KW); padded positions count as zeros (PyTorch's default).
  static func averageForward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, planes: Int, height: Int,
    width: Int, _ w: Window2D
  ) {
    let oh = w.outputHeight(height), ow = w.outputWidth(width)
    let scale = 1 / Float(w.kernelHeight * w.kernelWidth)
    for plane in 0..<planes {
      let px = x + plane * height * width
      for i in 0..<oh {
        for j in 0..<ow {
          var sum: Float = 0
          for ki in 0..<w.kernelHeight {
            let ih = i * w.strideHeight - w.paddingHeight + ki
            guard ih >= 0 && ih < height else { continue }
            for kj in 0..<w.kernelWidth {
              let iw = j * w.strideWidth - w.paddingWidth + kj
              guard iw >= 0 && iw < width else { continue }
              sum += px[ih * width + iw]
            }
          }
          y[(plane * oh + i) * ow + j] = sum * scale
        }
      }
    }
  }

  /// dx: each g spread evenly (g/(KH·KW)) over its window's in-bounds positions.
  static func averageBackward(
    _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, planes: Int, height: Int,
    width: Int, _ w: Window2D
  ) {
    let oh = w.outputHeight(height), ow = w.outputWidth(width)
    let scale = 1 / Float(w.kernelHeight * w.kernelWidth)
    dx.update(repeating: 0, count: planes * height * width)
    for plane in 0..<planes {
      let pd = dx + plane * height * width
      for i in 0..<oh {
        for j in 0..<ow {
          let share = g[(plane * oh + i) * ow + j] * scale
          for ki in 0..<w.kernelHeight {
            let ih = i * w.strideHeight - w.paddingHeight + ki
            guard ih >= 0 && ih < height else { continue }
            for kj in 0..<w.kernelWidth {
              let iw = j * w.strideWidth - w.paddingWidth + kj
              guard iw >= 0 && iw < width else { continue }
              pd[ih * width + iw] += share
            }
          }
        }
      }
    }
  }
}
