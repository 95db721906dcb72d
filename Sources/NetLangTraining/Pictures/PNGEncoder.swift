// PNGEncoder: 8-bit grayscale and RGB PNG files (signature, IHDR, one IDAT, IEND), each
// scanline with filter type 0, the image data in a zlib stream of our own.

/// Encodes pixels as PNG bytes.
///
/// NOTE: sizes that disagree with the pixel count are a programming error and trap; pictures
/// built from user data go through `GrayImage` (failable init, `png()`) instead.
public enum PNGEncoder {
  /// The 8 bytes every PNG file starts with.
  public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

  /// A grayscale PNG (colour type 0, 8 bits) of `width × height` bytes.
  ///
  /// `pixels` is row-major, 0 black to 255 white.
  /// Precondition: positive sizes and a matching pixel count.
  public static func grayscale(
    width: Int, height: Int, pixels: [UInt8], mode: DeflateMode = .fixedHuffman
  ) -> [UInt8] {
    precondition(width > 0 && height > 0, "PNG sizes must be positive")
    precondition(pixels.count == width * height, "one byte per pixel")
    return encode(width: width, height: height, colourType: 0, channels: 1, samples: pixels, mode)
  }

  /// An RGB PNG (colour type 2, 8 bits per channel): `pixels` holds `width × height × 3`
  /// bytes, row-major, red, green, blue per pixel.
  public static func rgb(
    width: Int, height: Int, pixels: [UInt8], mode: DeflateMode = .fixedHuffman
  ) -> [UInt8] {
    precondition(width > 0 && height > 0, "PNG sizes must be positive")
    precondition(pixels.count == width * height * 3, "three bytes per pixel")
    return encode(width: width, height: height, colourType: 2, channels: 3, samples: pixels, mode)
  }

  /// The scanlines as PNG stores them before compression: each row prefixed by filter byte 0.
  public static func scanlines(width: Int, height: Int, channels: Int, samples: [UInt8])
    -> [UInt8]
  {
    let stride = width * channels
    var raw: [UInt8] = []
    raw.reserveCapacity(height * (stride + 1))
    for row in 0..<height {
      raw.append(0)
      raw += samples[(row * stride)..<((row + 1) * stride)]
    }
    return raw
  }

  static func encode(
    width: Int, height: Int, colourType: UInt8, channels: Int, samples: [UInt8],
    _ mode: DeflateMode
  ) -> [UInt8] {
    var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
    // bit depth 8, colour type, compression 0 (deflate), filter method 0, no interlace.
    header += [8, colourType, 0, 0, 0]
    let raw = scanlines(width: width, height: height, channels: channels, samples: samples)
    var file = signature
    appendChunk("IHDR", header, to: &file)
    appendChunk("IDAT", ZlibEncoder.compress(raw, mode: mode), to: &file)
    appendChunk("IEND", [], to: &file)
    return file
  }

  /// A chunk: big-endian data length, 4-letter type, data, CRC-32 of type and data.
  static func appendChunk(_ type: String, _ data: [UInt8], to file: inout [UInt8]) {
    let typeBytes = Array(type.utf8)
    file += bigEndian(UInt32(data.count))
    file += typeBytes
    file += data
    var crc = CRC32()
    crc.update(typeBytes)
    crc.update(data)
    file += bigEndian(crc.value)
  }

  static func bigEndian(_ value: UInt32) -> [UInt8] {
    [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
  }
}
