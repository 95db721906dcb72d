// ZlibEncoder: a zlib stream (RFC 1950) around deflate data (RFC 1951), either stored blocks or
// one fixed-Huffman block with LZ77 matches (hash chains over a 32 KiB window).

/// How `ZlibEncoder` compresses.
public enum DeflateMode: Sendable {
  /// Uncompressed stored blocks (at most 65535 bytes each).
  case stored
  /// One block with the fixed Huffman code of RFC 1951 section 3.2.6 and LZ77 matches.
  case fixedHuffman
}

/// Writes zlib streams: 2 header bytes, deflate blocks, big-endian Adler-32 of the input.
public enum ZlibEncoder {
  /// The zlib stream of `bytes`.
  public static func compress(_ bytes: [UInt8], mode: DeflateMode = .fixedHuffman) -> [UInt8] {
    // CMF 0x78: deflate with a 32 KiB window; FLG 0x01 makes CMF·256 + FLG a multiple of 31.
    var out: [UInt8] = [0x78, 0x01]
    switch mode {
    case .stored: appendStored(bytes, to: &out)
    case .fixedHuffman:
      var writer = BitWriter()
      FixedHuffmanDeflate.encode(bytes, into: &writer)
      out += writer.finish()
    }
    let adler = Adler32.checksum(bytes)
    out += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: adler >> $0) }
    return out
  }

  /// Stored blocks: per block a header byte (BFINAL, BTYPE 00), LEN and its complement NLEN
  /// (little-endian), then the bytes.
  ///
  /// Empty input still gets one final empty block.
  static func appendStored(_ bytes: [UInt8], to out: inout [UInt8]) {
    var start = 0
    repeat {
      let length = min(65535, bytes.count - start)
      let final = start + length == bytes.count
      out.append(final ? 1 : 0)
      let len = UInt16(length)
      let nlen = ~len
      out += [UInt8(len & 0xFF), UInt8(len >> 8), UInt8(nlen & 0xFF), UInt8(nlen >> 8)]
      out += bytes[start..<(start + length)]
      start += length
    } while start < bytes.count
  }
}

/// Packs bits least-significant first into bytes, as deflate requires.
struct BitWriter {
  private(set) var bytes: [UInt8] = []
  private var buffer: UInt64 = 0
  private var count = 0

  /// Appends the low `width` bits of `value`, least-significant bit first.
  mutating func write(_ value: UInt32, width: Int) {
    buffer |= UInt64(value) << UInt64(count)
    count += width
    while count >= 8 {
      bytes.append(UInt8(truncatingIfNeeded: buffer))
      buffer >>= 8
      count -= 8
    }
  }

  /// Appends a Huffman code, whose bits go most-significant first.
  mutating func writeCode(_ code: UInt32, width: Int) {
    var reversed: UInt32 = 0
    for bit in 0..<width { reversed |= ((code >> UInt32(bit)) & 1) << UInt32(width - 1 - bit) }
    write(reversed, width: width)
  }

  /// The bytes, the last one padded with zero bits.
  mutating func finish() -> [UInt8] {
    if count > 0 { bytes.append(UInt8(truncatingIfNeeded: buffer)) }
    buffer = 0
    count = 0
    return bytes
  }
}
