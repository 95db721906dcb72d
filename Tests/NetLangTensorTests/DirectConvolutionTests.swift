// DirectConvolutionTests: the generated direct-convolution kernels of every instruction set
// this CPU runs against plain Double loops over the same padded planes.

import NetLangTensor
import Testing

/// Values in [-1, 1) from a fixed seed.
private func values(_ count: Int, seed: UInt64) -> [Float] {
  var random = Random(seed: seed)
  return (0..<count).map { _ in Float(random.uniform(-1, 1)) }
}

/// Planes, kernel and sizes of one kernel call.
private struct Case: CustomStringConvertible {
  var channels: Int, kernelHeight: Int, kernelWidth: Int, rows: Int, vectors: Int
  var rowStride: Int { vectors * 16 + kernelWidth - 1 + 3 }  // wider than needed
  var planeStride: Int { (rows + kernelHeight - 1) * rowStride + 5 }
  var taps: Int { channels * kernelHeight * kernelWidth }
  var description: String {
    "C\(channels) k\(kernelHeight)x\(kernelWidth) rows \(rows) vectors \(vectors)"
  }
}

/// Row counts below, at and past a block of rows; kernel widths below, at and past a block of
/// taps (the AVX-512 kernels take three of each at once).
private let cases = [
  Case(channels: 1, kernelHeight: 5, kernelWidth: 5, rows: 3, vectors: 2),
  Case(channels: 3, kernelHeight: 3, kernelWidth: 2, rows: 4, vectors: 1),
  Case(channels: 2, kernelHeight: 1, kernelWidth: 4, rows: 1, vectors: 3),
  Case(channels: 2, kernelHeight: 2, kernelWidth: 3, rows: 8, vectors: 1),
]

@Test(
  "direct correlation equals a Double loop on every instruction set",
  arguments: VectorMath.Implementation.available)
func directCorrelationMatchesLoops(implementation: VectorMath.Implementation) {
  for c in cases {
    // Every kernel row, all but the first, and none (zeros).
    for kernelRows in [0..<c.kernelHeight, 1..<c.kernelHeight, 0..<0] {
      checkCorrelation(c, kernelRows: kernelRows, implementation)
    }
  }
}

private func checkCorrelation(
  _ c: Case, kernelRows: Range<Int>, _ implementation: VectorMath.Implementation
) {
  let input = values(c.channels * c.planeStride, seed: 1)
  let weights = values(c.taps * 8, seed: 2)
  let width = c.vectors * 16
  let outputPlane = c.rows * width + 7
  var output = [Float](repeating: .nan, count: 8 * outputPlane)
  DirectConvolution.correlate(
    input: input, channels: c.channels, planeStride: c.planeStride, rowStride: c.rowStride,
    weights: weights, kernelHeight: c.kernelHeight, kernelWidth: c.kernelWidth,
    kernelRows: kernelRows, rows: c.rows, vectors: c.vectors, output: &output,
    outputPlaneStride: outputPlane, using: implementation)
  var worst = 0.0
  for f in 0..<8 {
    for i in 0..<c.rows {
      for j in 0..<width {
        var total = 0.0
        var t = 0
        for ch in 0..<c.channels {
          for ki in 0..<c.kernelHeight {
            for kj in 0..<c.kernelWidth {
              if kernelRows.contains(ki) {
                let x = input[ch * c.planeStride + (i + ki) * c.rowStride + j + kj]
                total += Double(weights[t * 8 + f]) * Double(x)
              }
              t += 1
            }
          }
        }
        worst = max(worst, abs(Double(output[f * outputPlane + i * width + j]) - total))
      }
    }
    // The gap between planes is never written.
    if f < 7 {
      #expect(output[f * outputPlane + c.rows * width].isNaN, "\(c) plane \(f) overran")
    }
  }
  #expect(worst < 1e-5, "\(c) rows \(kernelRows) \(implementation): worst error \(worst)")
}

@Test(
  "direct weight-gradient lanes equal a Double loop on every instruction set",
  arguments: VectorMath.Implementation.available)
func directWeightGradientMatchesLoops(implementation: VectorMath.Implementation) {
  for c in cases {
    let input = values(c.channels * c.planeStride, seed: 3)
    let width = c.vectors * 16
    let gradientRowStride = width + 2
    let gradientPlane = c.rows * gradientRowStride + 1
    let gradient = values(8 * gradientPlane, seed: 4)
    // Start from values already there: the kernel adds to them. Taps 1 ..< taps only.
    let start = values(c.taps * 8 * 16, seed: 5)
    var lanes = start
    // Two calls split the taps mid-row (the kernels may take several taps of a row at once).
    let middle = c.taps / 2 + 1
    for (first, last) in [(1, middle), (middle, c.taps)] {
      DirectConvolution.correlateWeights(
        input: input, planeStride: c.planeStride, rowStride: c.rowStride, gradient: gradient,
        gradientPlaneStride: gradientPlane, gradientRowStride: gradientRowStride,
        kernelHeight: c.kernelHeight, kernelWidth: c.kernelWidth, firstTap: first,
        lastTap: last, rows: c.rows, vectors: c.vectors, lanes: &lanes, using: implementation)
    }
    var worst = 0.0
    let area = c.kernelHeight * c.kernelWidth
    for t in 0..<c.taps {
      let ch = t / area, ki = t % area / c.kernelWidth, kj = t % c.kernelWidth
      for f in 0..<8 {
        for l in 0..<16 {
          let index = (t * 8 + f) * 16 + l
          guard t >= 1 else {
            #expect(lanes[index] == start[index], "tap 0 is outside the range")
            continue
          }
          var total = Double(start[index])
          for i in 0..<c.rows {
            for v in 0..<c.vectors {
              let j = v * 16 + l
              let x = input[ch * c.planeStride + (i + ki) * c.rowStride + j + kj]
              total += Double(gradient[f * gradientPlane + i * gradientRowStride + j]) * Double(x)
            }
          }
          worst = max(worst, abs(Double(lanes[index]) - total))
        }
      }
    }
    #expect(worst < 1e-5, "\(c) \(implementation): worst error \(worst)")
  }
}

/// The instruction sets with fused multiply-adds (each kernel sums every element's products in
/// one fixed order with one rounding each, whatever it computes at once): equal to the bit.
@Test("direct kernels of every fused instruction set give the same bits")
func directKernelsAgreeAcrossFusedSets() {
  let fused = VectorMath.Implementation.available.filter { $0 != .portable }
  guard fused.count > 1 else { return }
  for c in cases {
    let input = values(c.channels * c.planeStride, seed: 6)
    let weights = values(c.taps * 8, seed: 7)
    let width = c.vectors * 16
    let gradientPlane = c.rows * (width + 2) + 1
    let gradient = values(8 * gradientPlane, seed: 8)
    let outputs = fused.map { implementation in
      var output = [Float](repeating: 0, count: 8 * c.rows * width)
      DirectConvolution.correlate(
        input: input, channels: c.channels, planeStride: c.planeStride,
        rowStride: c.rowStride, weights: weights, kernelHeight: c.kernelHeight,
        kernelWidth: c.kernelWidth, rows: c.rows, vectors: c.vectors, output: &output,
        outputPlaneStride: c.rows * width, using: implementation)
      var lanes = [Float](repeating: 0, count: c.taps * 8 * 16)
      DirectConvolution.correlateWeights(
        input: input, planeStride: c.planeStride, rowStride: c.rowStride, gradient: gradient,
        gradientPlaneStride: gradientPlane, gradientRowStride: width + 2,
        kernelHeight: c.kernelHeight, kernelWidth: c.kernelWidth, firstTap: 0,
        lastTap: c.taps, rows: c.rows, vectors: c.vectors, lanes: &lanes, using: implementation)
      return output + lanes
    }
    for (implementation, output) in zip(fused, outputs).dropFirst() {
      let differing = output.indices.filter { output[$0].bitPattern != outputs[0][$0].bitPattern }
      #expect(
        differing.isEmpty,
        "\(c): \(implementation) differs from \(fused[0]) at \(differing.count) values, first \(differing.first ?? -1)"
      )
    }
  }
}
