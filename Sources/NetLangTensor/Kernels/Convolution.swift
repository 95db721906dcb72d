// Convolution: im2col / col2im and conv2d forward/backward as im2col + Gemm, on NCHW tensors.
//
// B = batch, C = input channels, O = output channels, H × W input plane, OH × OW output plane,
// P = C·KH·KW patch length, N = OH·OW output positions. Weights are [O, C, KH, KW] = [O × P].
// The column matrix of one image is [P × N]: row (c, kh, kw), column (oh, ow).

/// 2-D convolution helpers (cross-correlation, like PyTorch's Conv2d).
public enum Convolution {
  /// columns[(c, kh, kw), (oh, ow)] = image[c, oh·SH - PH + kh, ow·SW - PW + kw], or 0 in the
  /// padding.
  ///
  /// `image` is one [C, H, W] image; `columns` holds P × N floats.
  public static func im2col(
    _ image: UnsafePointer<Float>, geometry g: ConvolutionGeometry,
    into columns: UnsafeMutablePointer<Float>
  ) {
    var row = columns
    for c in 0..<g.channels {
      let plane = image + c &* g.planeCount
      for kh in 0..<g.kernelHeight {
        for kw in 0..<g.kernelWidth {
          for oh in 0..<g.outputHeight {
            let h = oh &* g.strideHeight &- g.paddingHeight &+ kh
            let target = row + oh &* g.outputWidth
            guard h >= 0, h < g.height else {
              target.update(repeating: 0, count: g.outputWidth)
              continue
            }
            let line = plane + h &* g.width
            for ow in 0..<g.outputWidth {
              let w = ow &* g.strideWidth &- g.paddingWidth &+ kw
              target[ow] = w >= 0 && w < g.width ? line[w] : 0
            }
          }
          row += g.outputPlaneCount
        }
      }
    }
  }

  /// The adjoint of `im2col`: image[c, h, w] += every column entry that was read from it
  /// (overlapping windows sum).
  ///
  /// Without `accumulate`, the image is zeroed first.
  public static func col2im(
    _ columns: UnsafePointer<Float>, geometry g: ConvolutionGeometry,
    into image: UnsafeMutablePointer<Float>, accumulate: Bool = false
  ) {
    if !accumulate { image.update(repeating: 0, count: g.imageCount) }
    var row = columns
    for c in 0..<g.channels {
      let plane = image + c &* g.planeCount
      for kh in 0..<g.kernelHeight {
        for kw in 0..<g.kernelWidth {
          for oh in 0..<g.outputHeight {
            let h = oh &* g.strideHeight &- g.paddingHeight &+ kh
            guard h >= 0, h < g.height else { continue }
            let source = row + oh &* g.outputWidth
            let line = plane + h &* g.width
            for ow in 0..<g.outputWidth {
              let w = ow &* g.strideWidth &- g.paddingWidth &+ kw
              if w >= 0 && w < g.width { line[w] += source[ow] }
            }
          }
          row += g.outputPlaneCount
        }
      }
    }
  }

  /// Floats of scratch space `forward` and `backward` need: one column matrix, P × N.
  public static func workspaceCount(_ geometry: ConvolutionGeometry) -> Int {
    geometry.patchCount * geometry.outputPlaneCount
  }

  /// output[b, o] = weights[o] ⋆ input[b] + bias[o], for [B, C, H, W] input, [O, C, KH, KW]
  /// weights, optional [O] bias, [B, O, OH, OW] output.
  ///
  /// `workspace` holds `workspaceCount(geometry)` floats.
  public static func forward(
    input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    output: UnsafeMutablePointer<Float>, batch: Int, outputChannels: Int,
    geometry g: ConvolutionGeometry, workspace: UnsafeMutablePointer<Float>,
    pool: WorkerPool? = nil
  ) {
    let p = g.patchCount
    let n = g.outputPlaneCount
    for b in 0..<batch {
      im2col(input + b &* g.imageCount, geometry: g, into: workspace)
      let y = output + b &* outputChannels &* n
      Gemm.multiply(
        transposeA: false, transposeB: false, m: outputChannels, n: n, k: p, alpha: 1,
        a: weights, lda: p, b: workspace, ldb: n, beta: 0, c: y, ldc: n, pool: pool)
      if let bias {
        for o in 0..<outputChannels {
          let row = y + o &* n
          let value = bias[o]
          for i in 0..<n { row[i] += value }
        }
      }
    }
  }

  /// Gradients of `forward`, all accumulated (+=) into their buffers: gradWeights [O, C, KH, KW] +=
  /// Σ_b dY_b · cols_bᵀ; gradBias [O] += Σ_b,n dY; gradInput [B, C, H, W] += col2im(Wᵀ · dY_b).
  ///
  /// Pass nil for gradients that are not needed.
  public static func backward(
    input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
    gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
    gradWeights: UnsafeMutablePointer<Float>?, gradBias: UnsafeMutablePointer<Float>?,
    batch: Int, outputChannels: Int, geometry g: ConvolutionGeometry,
    workspace: UnsafeMutablePointer<Float>, pool: WorkerPool? = nil
  ) {
    let p = g.patchCount
    let n = g.outputPlaneCount
    for b in 0..<batch {
      let dy = gradOutput + b &* outputChannels &* n
      if let gradBias {
        Reduction.sumOverColumns(
          dy, rows: outputChannels, columns: n, into: gradBias, accumulate: true)
      }
      if let gradWeights {
        im2col(input + b &* g.imageCount, geometry: g, into: workspace)
        Gemm.multiply(
          transposeA: false, transposeB: true, m: outputChannels, n: p, k: n, alpha: 1,
          a: dy, lda: n, b: workspace, ldb: n, beta: 1, c: gradWeights, ldc: p, pool: pool)
      }
      if let gradInput {
        Gemm.multiply(
          transposeA: true, transposeB: false, m: p, n: n, k: outputChannels, alpha: 1,
          a: weights, lda: p, b: dy, ldb: n, beta: 0, c: workspace, ldc: n, pool: pool)
        col2im(workspace, geometry: g, into: gradInput + b &* g.imageCount, accumulate: true)
      }
    }
  }
}
