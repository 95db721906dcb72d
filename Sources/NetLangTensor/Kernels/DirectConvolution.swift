// DirectConvolution: stride-1 cross-correlation of zero-padded planes, eight filters per call,
// on 16-float row vectors, without im2col columns (generated once per instruction set by
// Tests/Tools/generate_direct_conv.py). The caller pads the planes and packs the weights; see
// FastConv's direct path in NetLangGraph.
//
// Tap t = (c, ki, kj) = input channel and kernel offset, t = (c·KH + ki)·KW + kj.

import NetLangKernelsAVX2
import NetLangKernelsAVX512

/// Direct convolution kernels on padded planes.
package enum DirectConvolution {
  /// Filters (output planes) one call computes.
  package static let filters = DirectConvPortable.filters

  /// output[f][i][j] = Σ_t weights[t·8 + f] · input[c][i + ki][j + kj] for f < 8, i < rows,
  /// j < 16·vectors, over the taps of the kernel rows `kernelRows` (all when nil; see
  /// DirectConvAVX512.correlate for the layouts).
  package static func correlate(
    input: UnsafePointer<Float>, channels: Int, planeStride: Int, rowStride: Int,
    weights: UnsafePointer<Float>, kernelHeight: Int, kernelWidth: Int,
    kernelRows: Range<Int>? = nil, rows: Int, vectors: Int,
    output: UnsafeMutablePointer<Float>, outputPlaneStride: Int,
    using implementation: VectorMath.Implementation = .best
  ) {
    let kernelRows = kernelRows ?? 0..<kernelHeight
    switch implementation {
    case .avx512:
      DirectConvAVX512.correlate(
        input: input, channels: channels, planeStride: planeStride, rowStride: rowStride,
        weights: weights, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
        firstKernelRow: kernelRows.lowerBound, lastKernelRow: kernelRows.upperBound, rows: rows,
        vectors: vectors, output: output, outputPlaneStride: outputPlaneStride)
    case .avx2:
      DirectConvAVX2.correlate(
        input: input, channels: channels, planeStride: planeStride, rowStride: rowStride,
        weights: weights, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
        firstKernelRow: kernelRows.lowerBound, lastKernelRow: kernelRows.upperBound, rows: rows,
        vectors: vectors, output: output, outputPlaneStride: outputPlaneStride)
    case .portable:
      DirectConvPortable.correlate(
        input: input, channels: channels, planeStride: planeStride, rowStride: rowStride,
        weights: weights, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
        firstKernelRow: kernelRows.lowerBound, lastKernelRow: kernelRows.upperBound, rows: rows,
        vectors: vectors, output: output, outputPlaneStride: outputPlaneStride)
    }
  }

  /// lanes[(t·8 + f)·16 + l] += the lane-l partial sums of the weight gradient of `correlate`
  /// for the taps firstTap ..< lastTap (see DirectConvAVX512.correlateWeights).
  package static func correlateWeights(
    input: UnsafePointer<Float>, planeStride: Int, rowStride: Int,
    gradient: UnsafePointer<Float>, gradientPlaneStride: Int, gradientRowStride: Int,
    kernelHeight: Int, kernelWidth: Int, firstTap: Int, lastTap: Int, rows: Int, vectors: Int,
    lanes: UnsafeMutablePointer<Float>, using implementation: VectorMath.Implementation = .best
  ) {
    switch implementation {
    case .avx512:
      DirectConvAVX512.correlateWeights(
        input: input, planeStride: planeStride, rowStride: rowStride, gradient: gradient,
        gradientPlaneStride: gradientPlaneStride, gradientRowStride: gradientRowStride,
        kernelHeight: kernelHeight, kernelWidth: kernelWidth, firstTap: firstTap,
        lastTap: lastTap, rows: rows, vectors: vectors, lanes: lanes)
    case .avx2:
      DirectConvAVX2.correlateWeights(
        input: input, planeStride: planeStride, rowStride: rowStride, gradient: gradient,
        gradientPlaneStride: gradientPlaneStride, gradientRowStride: gradientRowStride,
        kernelHeight: kernelHeight, kernelWidth: kernelWidth, firstTap: firstTap,
        lastTap: lastTap, rows: rows, vectors: vectors, lanes: lanes)
    case .portable:
      DirectConvPortable.correlateWeights(
        input: input, planeStride: planeStride, rowStride: rowStride, gradient: gradient,
        gradientPlaneStride: gradientPlaneStride, gradientRowStride: gradientRowStride,
        kernelHeight: kernelHeight, kernelWidth: kernelWidth, firstTap: firstTap,
        lastTap: lastTap, rows: rows, vectors: vectors, lanes: lanes)
    }
  }
}
