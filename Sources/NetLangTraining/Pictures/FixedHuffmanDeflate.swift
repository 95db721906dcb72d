// FixedHuffmanDeflate: one deflate block (BTYPE 01) with the fixed literal/length and distance
// codes, and greedy LZ77 matching through hash chains.

/// The fixed-Huffman deflate encoder used by `ZlibEncoder`.
enum FixedHuffmanDeflate {
  /// Base lengths of length codes 257...285 and their extra-bit counts (RFC 1951 3.2.5).
  static let lengthBase: [Int] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
    131, 163, 195, 227, 258,
  ]
  static let lengthExtra: [Int] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
  ]
  /// Base distances of distance codes 0...29 and their extra-bit counts.
  static let distanceBase: [Int] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
  ]
  static let distanceExtra: [Int] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
  ]

  static let window = 32768
  static let minimumMatch = 3
  static let maximumMatch = 258
  /// How many earlier positions with the same 3-byte hash are tried per position.
  static let chainLimit = 64
  static let hashBits = 15

  /// Writes one final fixed-Huffman block holding `bytes`.
  static func encode(_ bytes: [UInt8], into writer: inout BitWriter) {
    writer.write(1, width: 1)  // BFINAL
    writer.write(1, width: 2)  // BTYPE = 01, fixed Huffman
    let n = bytes.count
    var head = [Int](repeating: -1, count: 1 << hashBits)
    var previous = [Int](repeating: -1, count: max(n, 1))
    func hash(_ i: Int) -> Int {
      let h = (Int(bytes[i]) << 10) ^ (Int(bytes[i + 1]) << 5) ^ Int(bytes[i + 2])
      return (h &* 2_654_435_761 >> 7) & ((1 << hashBits) - 1)
    }
    func insert(_ i: Int) {
      guard i + minimumMatch <= n else { return }
      let h = hash(i)
      previous[i] = head[h]
      head[h] = i
    }
    var i = 0
    while i < n {
      var bestLength = 0
      var bestDistance = 0
      if i + minimumMatch <= n {
        var candidate = head[hash(i)]
        var tries = 0
        let limit = min(maximumMatch, n - i)
        while candidate >= 0 && i - candidate <= window && tries < chainLimit {
          var length = 0
          while length < limit && bytes[candidate + length] == bytes[i + length] { length += 1 }
          if length > bestLength {
            bestLength = length
            bestDistance = i - candidate
            if length == limit { break }
          }
          candidate = previous[candidate]
          tries += 1
        }
      }
      if bestLength >= minimumMatch {
        writeMatch(length: bestLength, distance: bestDistance, into: &writer)
        for j in i..<(i + bestLength) { insert(j) }
        i += bestLength
      } else {
        writeSymbol(Int(bytes[i]), into: &writer)
        insert(i)
        i += 1
      }
    }
    writeSymbol(256, into: &writer)  // end of block
  }

  /// Writes literal/length symbol 0...287 with the fixed code.
  static func writeSymbol(_ symbol: Int, into writer: inout BitWriter) {
    switch symbol {
    case 0...143: writer.writeCode(UInt32(0x30 + symbol), width: 8)
    case 144...255: writer.writeCode(UInt32(0x190 + symbol - 144), width: 9)
    case 256...279: writer.writeCode(UInt32(symbol - 256), width: 7)
    default: writer.writeCode(UInt32(0xC0 + symbol - 280), width: 8)
    }
  }

  /// Writes a length 3...258 and distance 1...32768 pair.
  static func writeMatch(length: Int, distance: Int, into writer: inout BitWriter) {
    var code = lengthBase.count - 1
    while lengthBase[code] > length { code -= 1 }
    writeSymbol(257 + code, into: &writer)
    writer.write(UInt32(length - lengthBase[code]), width: lengthExtra[code])
    var dcode = distanceBase.count - 1
    while distanceBase[dcode] > distance { dcode -= 1 }
    writer.writeCode(UInt32(dcode), width: 5)
    writer.write(UInt32(distance - distanceBase[dcode]), width: distanceExtra[dcode])
  }
}
