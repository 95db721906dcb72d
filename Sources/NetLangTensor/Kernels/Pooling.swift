// Pooling: max and average pooling over NCHW planes, forward and backward side by side.
//
// B = batch, C = channels (B·C independent planes), H × W input plane, KH × KW window,
// OH × OW output plane (sizes from ConvolutionGeometry; its `channels` is ignored here).

/// 2-D max and average pooling.
public enum Pooling {
  /// output[plane, oh, ow] = max of the window; indices[...] = the winner's position h·W + w inside
  /// its input plane (first one on ties; -1 and -inf if the window lies entirely in padding).
  ///
  /// NaN wins, so it propagates. `planes` = B·C.
  public static func maxForward(
    _ input: UnsafePointer<Float>, planes: Int, geometry g: ConvolutionGeometry,
    output: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int>
  ) {
    for plane in 0..<planes {
      let x = input + plane &* g.planeCount
      let base = plane &* g.outputPlaneCount
      for oh in 0..<g.outputHeight {
        let (h0, h1) = window(oh, g.strideHeight, g.paddingHeight, g.kernelHeight, g.height)
        for ow in 0..<g.outputWidth {
          let (w0, w1) = window(ow, g.strideWidth, g.paddingWidth, g.kernelWidth, g.width)
          var best = -Float.infinity
          var bestIndex = -1
          for h in h0..<h1 {
            for w in w0..<w1 {
              let value = x[h &* g.width &+ w]
              if value > best || bestIndex < 0 || (value.isNaN && !best.isNaN) {
                best = value
                bestIndex = h &* g.width &+ w
              }
            }
          }
          output[base &+ oh &* g.outputWidth &+ ow] = best
          indices[base &+ oh &* g.outputWidth &+ ow] = bestIndex
        }
      }
    }
  }

  /// gradInput[plane, indices[...]] += gradOutput[...]: each output's gradient goes to the input
  /// that won.
  ///
  /// Without `accumulate`, gradInput is zeroed first.
  public static func maxBackward(
    gradOutput: UnsafePointer<Float>, indices: UnsafePointer<Int>, planes: Int,
    geometry g: ConvolutionGeometry, gradInput: UnsafeMutablePointer<Float>,
    accumulate: Bool = false
  ) {
    if !accumulate { gradInput.update(repeating: 0, count: planes &* g.planeCount) }
    for plane in 0..<planes {
      let dx = gradInput + plane &* g.planeCount
      let base = plane &* g.outputPlaneCount
      for i in 0..<g.outputPlaneCount where indices[base &+ i] >= 0 {
        dx[indices[base &+ i]] += gradOutput[base &+ i]
      }
    }
  }

  /// output = mean of the window, padding counted as zeros (divisor KH·KW, like PyTorch's
  /// default `count_include_pad=True`).
  public static func averageForward(
    _ input: UnsafePointer<Float>, planes: Int, geometry g: ConvolutionGeometry,
    output: UnsafeMutablePointer<Float>
  ) {
    let scale = 1 / Float(g.kernelHeight &* g.kernelWidth)
    for plane in 0..<planes {
      let x = input + plane &* g.planeCount
      let y = output + plane &* g.outputPlaneCount
      for oh in 0..<g.outputHeight {
        let (h0, h1) = window(oh, g.strideHeight, g.paddingHeight, g.kernelHeight, g.height)
        for ow in 0..<g.outputWidth {
          let (w0, w1) = window(ow, g.strideWidth, g.paddingWidth, g.kernelWidth, g.width)
          var total: Float = 0
          for h in h0..<h1 {
            for w in w0..<w1 { total += x[h &* g.width &+ w] }
          }
          y[oh &* g.outputWidth &+ ow] = total * scale
        }
      }
    }
  }

  /// gradInput[h, w] += gradOutput / (KH·KW) for every window covering (h, w).
  ///
  /// Without `accumulate`, gradInput is zeroed first.
  public static func averageBackward(
    gradOutput: UnsafePointer<Float>, planes: Int, geometry g: ConvolutionGeometry,
    gradInput: UnsafeMutablePointer<Float>, accumulate: Bool = false
  ) {
    if !accumulate { gradInput.update(repeating: 0, count: planes &* g.planeCount) }
    let scale = 1 / Float(g.kernelHeight &* g.kernelWidth)
    for plane in 0..<planes {
      let dx = gradInput + plane &* g.planeCount
      let dy = gradOutput + plane &* g.outputPlaneCount
      for oh in 0..<g.outputHeight {
        let (h0, h1) = window(oh, g.strideHeight, g.paddingHeight, g.kernelHeight, g.height)
        for ow in 0..<g.outputWidth {
          let (w0, w1) = window(ow, g.strideWidth, g.paddingWidth, g.kernelWidth, g.width)
          let share = dy[oh &* g.outputWidth &+ ow] * scale
          for h in h0..<h1 {
            for w in w0..<w1 { dx[h &* g.width &+ w] += share }
          }
        }
      }
    }
  }

  /// The input range [start, end) one output position's window covers, clipped to the plane.
  @inline(__always)
  private static func window(
    _ position: Int, _ stride: Int, _ padding: Int, _ kernel: Int, _ size: Int
  ) -> (Int, Int) {
    let start = position &* stride &- padding
    let lower = max(0, start)
    return (lower, max(lower, min(size, start &+ kernel)))
  }
}
