// PoolingTests: max/average pooling by hand, against a naive window loop, and their backward
// passes against central differences (inputs distinct, so max has no ties).

import NetLangTensor
import Testing

private let poolGeometries: [ConvolutionGeometry] = [
  ConvolutionGeometry(
    channels: 1, height: 4, width: 4, kernelHeight: 2, kernelWidth: 2, strideHeight: 2,
    strideWidth: 2),
  ConvolutionGeometry(
    channels: 1, height: 5, width: 7, kernelHeight: 3, kernelWidth: 2, strideHeight: 2,
    strideWidth: 3, paddingHeight: 1, paddingWidth: 1),
  ConvolutionGeometry(channels: 1, height: 3, width: 3, kernelHeight: 3, kernelWidth: 3),
].compactMap { $0 }

/// Naive pooling in Double, padding excluded from max and counted as zero for the average.
private func naivePool(_ x: [Double], planes: Int, _ g: ConvolutionGeometry, max useMax: Bool)
  -> [Double]
{
  var y: [Double] = []
  for plane in 0..<planes {
    for oh in 0..<g.outputHeight {
      for ow in 0..<g.outputWidth {
        var values: [Double] = []
        for kh in 0..<g.kernelHeight {
          for kw in 0..<g.kernelWidth {
            let h = oh * g.strideHeight - g.paddingHeight + kh
            let w = ow * g.strideWidth - g.paddingWidth + kw
            guard h >= 0, h < g.height, w >= 0, w < g.width else { continue }
            values.append(x[plane * g.planeCount + h * g.width + w])
          }
        }
        let size = Double(g.kernelHeight * g.kernelWidth)
        y.append(useMax ? values.max() ?? -.infinity : values.reduce(0, +) / size)
      }
    }
  }
  return y
}

/// Distinct values in random order, so every max window has one winner.
private func distinctFloats(_ count: Int, seed: UInt64) -> [Float] {
  var generator = Random(seed: seed)
  return generator.permutation(count).map { Float($0) * 0.37 - 3 }
}

@Test("2×2 max and average pooling by hand")
func poolingByHand() throws {
  let g = try #require(
    ConvolutionGeometry(
      channels: 1, height: 2, width: 4, kernelHeight: 2, kernelWidth: 2, strideHeight: 2,
      strideWidth: 2))
  let x: [Float] = [1, 5, -1, -2, 3, 2, -3, -4]
  var y = [Float](repeating: 0, count: 2)
  var indices = [Int](repeating: 0, count: 2)
  Pooling.maxForward(x, planes: 1, geometry: g, output: &y, indices: &indices)
  #expect(y == [5, -1] && indices == [1, 2])
  Pooling.averageForward(x, planes: 1, geometry: g, output: &y)
  #expect(y == [2.75, -2.5])
}

@Test("forward matches a naive loop; backward matches central differences")
func poolingMatchesOracles() {
  let planes = 3
  for (index, g) in poolGeometries.enumerated() {
    let x = distinctFloats(planes * g.planeCount, seed: UInt64(index))
    let weights = randomFloats(planes * g.outputPlaneCount, seed: UInt64(index) + 50)
    var y = [Float](repeating: 0, count: planes * g.outputPlaneCount)
    var indices = [Int](repeating: 0, count: y.count)
    var gradient = [Float](repeating: .nan, count: x.count)

    Pooling.maxForward(x, planes: planes, geometry: g, output: &y, indices: &indices)
    let maxExpected = naivePool(x.map(Double.init), planes: planes, g, max: true)
    #expect(maxAbsDifference(y, maxExpected.map(Float.init)) == 0, "\(g)")
    Pooling.maxBackward(
      gradOutput: weights, indices: indices, planes: planes, geometry: g, gradInput: &gradient)
    let maxGradient = numericalGradient(
      of: { naivePool($0, planes: planes, g, max: true) }, at: x, weights: weights, step: 1e-3)
    #expect(maxAbsDifference(gradient, maxGradient) < 1e-4, "\(g)")

    Pooling.averageForward(x, planes: planes, geometry: g, output: &y)
    let averageExpected = naivePool(x.map(Double.init), planes: planes, g, max: false)
    #expect(maxAbsDifference(y, averageExpected.map(Float.init)) < 1e-5, "\(g)")
    Pooling.averageBackward(
      gradOutput: weights, planes: planes, geometry: g, gradInput: &gradient)
    let averageGradient = numericalGradient(
      of: { naivePool($0, planes: planes, g, max: false) }, at: x, weights: weights)
    #expect(maxAbsDifference(gradient, averageGradient) < 1e-4, "\(g)")
  }
}

@Test("a window entirely in padding gives -inf and index -1, and backward skips it")
func poolingWindowInPadding() throws {
  let g = try #require(
    ConvolutionGeometry(
      channels: 1, height: 1, width: 1, kernelHeight: 1, kernelWidth: 1, paddingHeight: 1,
      paddingWidth: 1))
  var y = [Float](repeating: 0, count: g.outputPlaneCount)
  var indices = [Int](repeating: 0, count: g.outputPlaneCount)
  Pooling.maxForward([2], planes: 1, geometry: g, output: &y, indices: &indices)
  #expect(y[0] == -.infinity && indices[0] == -1 && y[4] == 2 && indices[4] == 0)
  var gradient: [Float] = [0]
  Pooling.maxBackward(
    gradOutput: [Float](repeating: 1, count: 9), indices: indices, planes: 1, geometry: g,
    gradInput: &gradient)
  #expect(gradient == [1])
}
