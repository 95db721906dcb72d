// ConvolutionTests: im2col + Gemm against a direct convolution loop, col2im as the exact
// adjoint of im2col, and conv backward against central differences.

import NetLangTensor
import Testing

/// Geometries with odd sizes, strides, paddings and 1×1 / non-square windows.
private let geometries: [ConvolutionGeometry] = [
  ConvolutionGeometry(channels: 2, height: 5, width: 6, kernelHeight: 3, kernelWidth: 3),
  ConvolutionGeometry(
    channels: 3, height: 7, width: 5, kernelHeight: 3, kernelWidth: 2, strideHeight: 2,
    strideWidth: 1, paddingHeight: 1, paddingWidth: 2),
  ConvolutionGeometry(channels: 1, height: 4, width: 4, kernelHeight: 1, kernelWidth: 1),
  ConvolutionGeometry(
    channels: 2, height: 6, width: 6, kernelHeight: 4, kernelWidth: 4, strideHeight: 3,
    strideWidth: 3, paddingHeight: 2, paddingWidth: 2),
].compactMap { $0 }

/// Direct NCHW convolution in Double: the oracle.
private func directConvolution(
  _ x: [Double], _ weights: [Double], _ bias: [Double], batch: Int, outputChannels: Int,
  _ g: ConvolutionGeometry
) -> [Double] {
  var y = [Double](repeating: 0, count: batch * outputChannels * g.outputPlaneCount)
  for b in 0..<batch {
    for o in 0..<outputChannels {
      for oh in 0..<g.outputHeight {
        for ow in 0..<g.outputWidth {
          var total = bias[o]
          for c in 0..<g.channels {
            for kh in 0..<g.kernelHeight {
              for kw in 0..<g.kernelWidth {
                let h = oh * g.strideHeight - g.paddingHeight + kh
                let w = ow * g.strideWidth - g.paddingWidth + kw
                guard h >= 0, h < g.height, w >= 0, w < g.width else { continue }
                let weight = weights[
                  ((o * g.channels + c) * g.kernelHeight + kh) * g.kernelWidth + kw]
                total += weight * x[((b * g.channels + c) * g.height + h) * g.width + w]
              }
            }
          }
          y[((b * outputChannels + o) * g.outputHeight + oh) * g.outputWidth + ow] = total
        }
      }
    }
  }
  return y
}

@Test("geometry: output size rule and rejected sizes")
func convolutionGeometryRule() throws {
  let g = try #require(
    ConvolutionGeometry(
      channels: 3, height: 28, width: 28, kernelHeight: 5, kernelWidth: 5, strideHeight: 2,
      strideWidth: 2, paddingHeight: 2, paddingWidth: 2))
  #expect(g.outputHeight == 14 && g.outputWidth == 14 && g.patchCount == 75)
  #expect(
    ConvolutionGeometry(channels: 1, height: 2, width: 2, kernelHeight: 3, kernelWidth: 1) == nil)
  #expect(
    ConvolutionGeometry(channels: 0, height: 2, width: 2, kernelHeight: 1, kernelWidth: 1) == nil)
  #expect(
    ConvolutionGeometry(
      channels: 1, height: 2, width: 2, kernelHeight: 1, kernelWidth: 1, strideHeight: 0) == nil)
}

@Test("forward (im2col + Gemm) matches a direct convolution")
func convolutionForwardMatchesDirect() {
  for (index, g) in geometries.enumerated() {
    let batch = 2
    let outputChannels = 3
    let x = randomFloats(batch * g.imageCount, seed: UInt64(index))
    let weights = randomFloats(outputChannels * g.patchCount, seed: UInt64(index) + 100)
    let bias = randomFloats(outputChannels, seed: UInt64(index) + 200)
    var y = [Float](repeating: .nan, count: batch * outputChannels * g.outputPlaneCount)
    var workspace = [Float](repeating: 0, count: Convolution.workspaceCount(g))
    Convolution.forward(
      input: x, weights: weights, bias: bias, output: &y, batch: batch,
      outputChannels: outputChannels, geometry: g, workspace: &workspace)
    let expected = directConvolution(
      x.map(Double.init), weights.map(Double.init), bias.map(Double.init), batch: batch,
      outputChannels: outputChannels, g)
    #expect(maxAbsDifference(y, expected.map(Float.init)) < 1e-5, "\(g)")
  }
}

@Test("col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>")
func col2imIsAdjoint() {
  for (index, g) in geometries.enumerated() {
    let x = randomFloats(g.imageCount, seed: UInt64(index) + 300)
    let c = randomFloats(Convolution.workspaceCount(g), seed: UInt64(index) + 400)
    var columns = [Float](repeating: .nan, count: c.count)
    Convolution.im2col(x, geometry: g, into: &columns)
    var image = [Float](repeating: .nan, count: x.count)
    Convolution.col2im(c, geometry: g, into: &image)
    let left = zip(columns, c).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    let right = zip(x, image).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    #expect(abs(left - right) < 1e-4, "\(g)")
  }
}

@Test("backward matches central differences for input, weights and bias")
func convolutionBackwardMatchesDifferences() {
  for (index, g) in geometries.enumerated() {
    let batch = 2
    let outputChannels = 2
    let x = randomFloats(batch * g.imageCount, seed: UInt64(index) + 500)
    let weights = randomFloats(outputChannels * g.patchCount, seed: UInt64(index) + 600)
    let bias = randomFloats(outputChannels, seed: UInt64(index) + 700)
    let dy = randomFloats(batch * outputChannels * g.outputPlaneCount, seed: UInt64(index) + 800)
    var gradInput = [Float](repeating: 0, count: x.count)
    var gradWeights = [Float](repeating: 0, count: weights.count)
    var gradBias = [Float](repeating: 0, count: outputChannels)
    var workspace = [Float](repeating: 0, count: Convolution.workspaceCount(g))
    Convolution.backward(
      input: x, weights: weights, gradOutput: dy, gradInput: &gradInput,
      gradWeights: &gradWeights, gradBias: &gradBias, batch: batch,
      outputChannels: outputChannels, geometry: g, workspace: &workspace)
    let xd = x.map(Double.init)
    let wd = weights.map(Double.init)
    let bd = bias.map(Double.init)
    let expectedInput = numericalGradient(
      of: { directConvolution($0, wd, bd, batch: batch, outputChannels: outputChannels, g) },
      at: x, weights: dy)
    let expectedWeights = numericalGradient(
      of: { directConvolution(xd, $0, bd, batch: batch, outputChannels: outputChannels, g) },
      at: weights, weights: dy)
    let expectedBias = numericalGradient(
      of: { directConvolution(xd, wd, $0, batch: batch, outputChannels: outputChannels, g) },
      at: bias, weights: dy)
    #expect(maxAbsDifference(gradInput, expectedInput) < 1e-3, "\(g)")
    #expect(maxAbsDifference(gradWeights, expectedWeights) < 1e-3, "\(g)")
    #expect(maxAbsDifference(gradBias, expectedBias) < 1e-3, "\(g)")
  }
}
