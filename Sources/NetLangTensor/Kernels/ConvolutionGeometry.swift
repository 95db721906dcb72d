// ConvolutionGeometry: the sizes of one 2-D convolution or pooling window sweep, and the
// output size rule, shared by Convolution and Pooling.
//
// C = channels, H × W = input plane, KH × KW = window, SH, SW = strides, PH, PW = zero
// padding on each side, OH × OW = output plane.

/// Sizes of a 2-D window sweep over a [C, H, W] image.
public struct ConvolutionGeometry: Sendable, Hashable {
  public let channels: Int
  public let height: Int
  public let width: Int
  public let kernelHeight: Int
  public let kernelWidth: Int
  public let strideHeight: Int
  public let strideWidth: Int
  public let paddingHeight: Int
  public let paddingWidth: Int
  /// OH = (H + 2·PH - KH) / SH + 1, rounded down.
  public let outputHeight: Int
  /// OW = (W + 2·PW - KW) / SW + 1, rounded down.
  public let outputWidth: Int

  /// Nil when a size is not positive, a padding is negative, or the window does not fit.
  public init?(
    channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
    strideHeight: Int = 1, strideWidth: Int = 1, paddingHeight: Int = 0, paddingWidth: Int = 0
  ) {
    guard channels > 0, height > 0, width > 0, kernelHeight > 0, kernelWidth > 0,
      strideHeight > 0, strideWidth > 0, paddingHeight >= 0, paddingWidth >= 0
    else { return nil }
    let spanHeight = height + 2 * paddingHeight - kernelHeight
    let spanWidth = width + 2 * paddingWidth - kernelWidth
    guard spanHeight >= 0, spanWidth >= 0 else { return nil }
    self.channels = channels
    self.height = height
    self.width = width
    self.kernelHeight = kernelHeight
    self.kernelWidth = kernelWidth
    self.strideHeight = strideHeight
    self.strideWidth = strideWidth
    self.paddingHeight = paddingHeight
    self.paddingWidth = paddingWidth
    outputHeight = spanHeight / strideHeight + 1
    outputWidth = spanWidth / strideWidth + 1
  }

  /// Elements of one input image, C·H·W.
  public var imageCount: Int { channels * height * width }
  /// Elements of one input plane, H·W.
  public var planeCount: Int { height * width }
  /// Rows of the im2col matrix, C·KH·KW (= columns of the flattened weight matrix).
  public var patchCount: Int { channels * kernelHeight * kernelWidth }
  /// Output positions per plane, OH·OW (= columns of the im2col matrix).
  public var outputPlaneCount: Int { outputHeight * outputWidth }
}
