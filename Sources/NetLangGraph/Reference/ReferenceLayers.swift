// Reference (Double) forward math of conv2d, max/avg pooling and batchnorm, written as
// direct loops over the definitions. B = batch, C = channels, H, W = input size, F = filters,
// OH, OW = output size, S = spatial positions per channel.

extension ReferencePass {
  /// y[b, f, i, j] = bias[f] + Σ_{c, ki, kj} W[f, c, ki, kj]·x[b, c, i·sh − ph + ki, j·sw − pw + kj],
  /// positions outside the input reading as 0.
  func conv2d(_ node: Node, _ w: Window2D) -> [Double] {
    let x = input(node, 0), weight = input(node, 1)
    let bias = node.inputs.count == 3 ? input(node, 2) : nil
    let shape = inputNode(node, 0).shape
    let channels = shape[0], height = shape[1], width = shape[2]
    let filters = node.shape[0], oh = node.shape[1], ow = node.shape[2]
    let kh = w.kernelHeight, kw = w.kernelWidth
    var y = [Double](repeating: 0, count: examples(node) * filters * oh * ow)
    let batch = examples(node)
    x.withUnsafeBufferPointer { px in
      weight.withUnsafeBufferPointer { pw in
        y.withUnsafeMutableBufferPointer { py in
          for b in 0..<batch {
            let xb = b * channels * height * width
            for f in 0..<filters {
              for i in 0..<oh {
                for j in 0..<ow {
                  var sum = bias?[f] ?? 0
                  for c in 0..<channels {
                    for ki in 0..<kh {
                      let ih = i * w.strideHeight - w.paddingHeight + ki
                      guard ih >= 0 && ih < height else { continue }
                      let wRow = ((f * channels + c) * kh + ki) * kw
                      let xRow = xb + (c * height + ih) * width
                      for kj in 0..<kw {
                        let iw = j * w.strideWidth - w.paddingWidth + kj
                        guard iw >= 0 && iw < width else { continue }
                        sum += pw[wRow + kj] * px[xRow + iw]
                      }
                    }
                  }
                  py[((b * filters + f) * oh + i) * ow + j] = sum
                }
              }
            }
          }
        }
      }
    }
    return y
  }

  /// The in-bounds input offsets (within one plane) of window (i, j), row by row.
  func windowOffsets(_ i: Int, _ j: Int, height: Int, width: Int, _ w: Window2D) -> [Int] {
    var offsets: [Int] = []
    for ki in 0..<w.kernelHeight {
      let ih = i * w.strideHeight - w.paddingHeight + ki
      guard ih >= 0 && ih < height else { continue }
      for kj in 0..<w.kernelWidth {
        let iw = j * w.strideWidth - w.paddingWidth + kj
        guard iw >= 0 && iw < width else { continue }
        offsets.append(ih * width + iw)
      }
    }
    return offsets
  }

  /// Max over each window's in-bounds positions (padding never wins); the first maximum's
  /// position is recorded as a kink decision.
  mutating func maxPool(_ node: Node, _ w: Window2D) -> [Double] {
    let x = input(node, 0), shape = inputNode(node, 0).shape
    let height = shape[1], width = shape[2], oh = node.shape[1], ow = node.shape[2]
    let planes = examples(node) * shape[0]
    var y = [Double](repeating: 0, count: planes * oh * ow)
    for plane in 0..<planes {
      let base = plane * height * width
      for i in 0..<oh {
        for j in 0..<ow {
          var best = -1
          for offset in windowOffsets(i, j, height: height, width: width, w)
          where best < 0 || x[base + offset] > x[base + best] {
            best = offset
          }
          best = max(best, 0)
          record(best)
          y[(plane * oh + i) * ow + j] = x[base + best]
        }
      }
    }
    return y
  }

  /// Σ over each window's in-bounds positions / (KH·KW): padding counts as zeros.
  func avgPool(_ node: Node, _ w: Window2D) -> [Double] {
    let x = input(node, 0), shape = inputNode(node, 0).shape
    let height = shape[1], width = shape[2], oh = node.shape[1], ow = node.shape[2]
    let planes = examples(node) * shape[0]
    let divisor = Double(w.kernelHeight * w.kernelWidth)
    var y = [Double](repeating: 0, count: planes * oh * ow)
    for plane in 0..<planes {
      let base = plane * height * width
      for i in 0..<oh {
        for j in 0..<ow {
          var sum = 0.0
          for offset in windowOffsets(i, j, height: height, width: width, w) {
            sum += x[base + offset]
          }
          y[(plane * oh + i) * ow + j] = sum / divisor
        }
      }
    }
    return y
  }

  /// y = gamma·(x − mean)/√(var + eps) + beta per channel; training: the batch's mean and
  /// biased variance over B·S values, evaluation: the running statistics.
  func batchNorm(_ node: Node, epsilon: Double) -> [Double] {
    let x = input(node, 0), gamma = input(node, 1), beta = input(node, 2)
    let runningMean = input(node, 3), runningVariance = input(node, 4)
    let shape = inputNode(node, 0).shape
    let channels = shape[0], spatial = shape.elementCount / max(channels, 1)
    let count = Double(batch * spatial)
    var y = [Double](repeating: 0, count: x.count)
    for c in 0..<channels {
      var mean = runningMean[c], variance = runningVariance[c]
      if training {
        var sum = 0.0
        for b in 0..<batch {
          for s in 0..<spatial { sum += x[(b * channels + c) * spatial + s] }
        }
        mean = sum / count
        var squares = 0.0
        for b in 0..<batch {
          for s in 0..<spatial {
            let d = x[(b * channels + c) * spatial + s] - mean
            squares += d * d
          }
        }
        variance = squares / count
      }
      let inverse = 1 / (variance + epsilon).squareRoot()
      for b in 0..<batch {
        for s in 0..<spatial {
          let index = (b * channels + c) * spatial + s
          y[index] = gamma[c] * (x[index] - mean) * inverse + beta[c]
        }
      }
    }
    return y
  }
}
