// ImageGrid: tiles many small grayscale images (Floats in [0, 1]) into one picture, one row
// per kind (row 0 originals, row 1 autoencoder reconstructions, row 2 PCA ...), with gaps.

/// A grayscale picture, one byte per pixel, row-major; sizes always match the pixels.
public struct GrayImage: Sendable, Equatable {
  public private(set) var width: Int
  public private(set) var height: Int
  public private(set) var pixels: [UInt8]

  /// A picture from `width × height` bytes; nil when the sizes are not positive or disagree.
  public init?(width: Int, height: Int, pixels: [UInt8]) {
    guard width > 0, height > 0, pixels.count == width * height else { return nil }
    self.init(checkedWidth: width, height: height, pixels: pixels)
  }

  init(checkedWidth width: Int, height: Int, pixels: [UInt8]) {
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// The picture as PNG bytes.
  public func png(mode: DeflateMode = .fixedHuffman) -> [UInt8] {
    PNGEncoder.grayscale(width: width, height: height, pixels: pixels, mode: mode)
  }
}

/// Lays out tiles of `tileWidth × tileHeight` in rows; row `r` of the picture is `rows[r]`.
public struct ImageGrid: Sendable {
  public var tileWidth: Int
  public var tileHeight: Int
  /// Background pixels between tiles and around the border.
  public var gap: Int
  /// Background byte in the gaps (128: mid gray, so black and white tiles both stand out).
  public var background: UInt8
  /// When true, 0 maps to white and 1 to black (ink on paper); otherwise 0 is black.
  public var inverted: Bool
  /// Size of one font pixel of the row labels (`PixelFont` glyphs are 5×7).
  public var labelScale: Int

  public init(
    tileWidth: Int = 28, tileHeight: Int = 28, gap: Int = 2, background: UInt8 = 128,
    inverted: Bool = false, labelScale: Int = 2
  ) {
    self.tileWidth = max(1, tileWidth)
    self.tileHeight = max(1, tileHeight)
    self.gap = max(0, gap)
    self.background = background
    self.inverted = inverted
    self.labelScale = max(1, labelScale)
  }

  /// The byte for a value: clamped to [0, 1], NaN as 0, then scaled to 0...255 and rounded.
  public func byte(_ value: Float) -> UInt8 {
    var v = value.isNaN ? 0 : min(max(value, 0), 1)
    if inverted { v = 1 - v }
    return UInt8((v * 255).rounded())
  }

  /// Renders `rows`: each row is a list of tiles, each tile `tileWidth × tileHeight` values
  /// row-major.
  ///
  /// The picture is as wide as the longest row; short rows and short tiles leave background
  /// (missing values) instead of trapping. `labels[r]`, when given, is written left of row r (e.g.
  /// "original", "autoencoder", "PCA"), in black on a light background and white on a dark one.
  public func render(rows: [[[Float]]], labels: [String] = []) -> GrayImage {
    let columns = max(1, rows.map(\.count).max() ?? 1)
    let rowCount = max(1, rows.count, labels.count)
    let labelWidth = labels.map { PixelFont.width(of: $0, scale: labelScale) }.max() ?? 0
    let margin = labelWidth > 0 ? labelWidth + 2 * max(gap, 2) : 0
    let width = margin + gap + columns * (tileWidth + gap)
    let height = gap + rowCount * (tileHeight + gap)
    var pixels = [UInt8](repeating: background, count: width * height)
    let ink: UInt8 = background >= 128 ? 0 : 255
    for (r, label) in labels.enumerated() {
      let top = gap + r * (tileHeight + gap)
      let textTop = top + (tileHeight - PixelFont.glyphHeight * labelScale) / 2
      PixelFont.draw(
        label, x: max(gap, 2), y: textTop, scale: labelScale, ink: ink, into: &pixels,
        width: width)
    }
    for (r, tiles) in rows.enumerated() {
      for (c, tile) in tiles.enumerated() {
        let top = gap + r * (tileHeight + gap)
        let left = margin + gap + c * (tileWidth + gap)
        for y in 0..<tileHeight {
          for x in 0..<tileWidth {
            let index = y * tileWidth + x
            guard index < tile.count else { continue }
            pixels[(top + y) * width + left + x] = byte(tile[index])
          }
        }
      }
    }
    return GrayImage(checkedWidth: width, height: height, pixels: pixels)
  }

  /// Renders rows given as flat example-major arrays of `count` tiles each.
  ///
  /// For example a minibatch of originals and its reconstructions, each tile
  /// `tileWidth × tileHeight` values.
  public func render(flatRows: [[Float]], count: Int, labels: [String] = []) -> GrayImage {
    let size = tileWidth * tileHeight
    let rows = flatRows.map { flat in
      (0..<max(0, count)).map { i -> [Float] in
        let start = min(i * size, flat.count)
        let end = min(start + size, flat.count)
        return Array(flat[start..<end])
      }
    }
    return render(rows: rows, labels: labels)
  }
}
