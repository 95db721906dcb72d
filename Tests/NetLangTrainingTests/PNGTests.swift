// PNGTests: PNG files checked byte by byte against an independent reader written here (chunk
// walker, CRC recomputed bitwise, a small inflate for stored and fixed-Huffman blocks).

import Foundation
import Testing

@testable import NetLangTraining

@Suite("png") struct PNGTests {
  @Test("CRC-32 and Adler-32 check values of \"123456789\"")
  func checkValues() {
    let bytes = Array("123456789".utf8)
    #expect(CRC32.checksum(bytes) == 0xCBF4_3926)
    #expect(Adler32.checksum(bytes) == 0x091E_01DE)
    #expect(CRC32.checksum([UInt8]()) == 0)
    #expect(Adler32.checksum([UInt8]()) == 1)
    // Bitwise CRC and Adler with Int sums, on a long input (crosses Adler's 5552-byte reduction).
    let long = (0..<20000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 13) }
    #expect(CRC32.checksum(long) == TestInflate.bitwiseCRC(long))
    #expect(Adler32.checksum(long) == TestInflate.slowAdler(long))
    var split = CRC32()
    split.update(long[0..<777])
    split.update(long[777...])
    #expect(split.value == CRC32.checksum(long))
  }

  @Test("zlib streams inflate back to the input", arguments: [DeflateMode.stored, .fixedHuffman])
  func zlibRoundTrip(mode: DeflateMode) throws {
    var random = LCG(seed: 7)
    let inputs: [[UInt8]] = [
      [], [42], Array("abcabcabcabcabcabc".utf8), [UInt8](repeating: 0, count: 100_000),
      (0..<70000).map { _ in random.byte() },
      (0..<50000).map { i in UInt8(truncatingIfNeeded: (i % 300) / 7) },
    ]
    for input in inputs {
      let stream = ZlibEncoder.compress(input, mode: mode)
      #expect((UInt16(stream[0]) << 8 | UInt16(stream[1])) % 31 == 0)
      #expect(try TestInflate.zlib(stream) == input)
    }
  }

  @Test("fixed Huffman shrinks repetitive data")
  func compresses() {
    let zeros = [UInt8](repeating: 0, count: 10000)
    #expect(ZlibEncoder.compress(zeros, mode: .fixedHuffman).count < 200)
    #expect(ZlibEncoder.compress(zeros, mode: .stored).count == 10000 + 2 + 5 + 4)
  }

  @Test(
    "grayscale PNG: signature, chunks with valid CRCs, IHDR, exact scanlines",
    arguments: [DeflateMode.stored, .fixedHuffman])
  func grayscale(mode: DeflateMode) throws {
    let width = 5
    let height = 3
    let pixels = (0..<(width * height)).map { UInt8($0 * 17) }
    let file = PNGEncoder.grayscale(width: width, height: height, pixels: pixels, mode: mode)
    let chunks = try TestInflate.chunks(file)
    #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
    #expect(chunks[0].data == [0, 0, 0, 5, 0, 0, 0, 3, 8, 0, 0, 0, 0])
    #expect(chunks[2].data.isEmpty)
    let raw = try TestInflate.zlib(chunks[1].data)
    var expected: [UInt8] = []
    for row in 0..<height { expected += [0] + pixels[(row * width)..<((row + 1) * width)] }
    #expect(raw == expected)
  }

  @Test("RGB PNG: colour type 2, three bytes per pixel")
  func rgb() throws {
    let pixels: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]
    let file = PNGEncoder.rgb(width: 2, height: 2, pixels: pixels)
    let chunks = try TestInflate.chunks(file)
    #expect(chunks[0].data == [0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0])
    #expect(
      try TestInflate.zlib(chunks[1].data) == [0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 9, 9, 9])
  }

  @Test("image grid: layout, gaps, clamping, NaN, short rows")
  func grid() throws {
    let grid = ImageGrid(tileWidth: 2, tileHeight: 2, gap: 1, background: 7)
    let image = grid.render(rows: [
      [[0, 1, 0.5, 2], [-1, .nan, 0.2, 1]],
      [[1, 1, 1, 1]],
    ])
    #expect(image.width == 1 + 2 * 3)
    #expect(image.height == 1 + 2 * 3)
    let b: UInt8 = 7
    #expect(
      image.pixels == [
        b, b, b, b, b, b, b,
        b, 0, 255, b, 0, 0, b,
        b, 128, 255, b, 51, 255, b,
        b, b, b, b, b, b, b,
        b, 255, 255, b, b, b, b,
        b, 255, 255, b, b, b, b,
        b, b, b, b, b, b, b,
      ])
    let inverted = ImageGrid(tileWidth: 1, tileHeight: 1, gap: 0, inverted: true)
    #expect(inverted.render(flatRows: [[0, 1, 0.25]], count: 3).pixels == [255, 0, 191])
    let png = image.png()
    let chunks = try TestInflate.chunks(png)
    #expect(try TestInflate.zlib(chunks[1].data).count == 7 * 8)
    #expect(GrayImage(width: 2, height: 2, pixels: [1, 2, 3]) == nil)
    #expect(GrayImage(width: 0, height: 0, pixels: []) == nil)
    let small = try #require(GrayImage(width: 1, height: 2, pixels: [0, 255]))
    #expect(try TestInflate.zlib(try TestInflate.chunks(small.png())[1].data) == [0, 0, 0, 255])
  }

  @Test("a 3×10 grid of 28×28 tiles writes a readable PNG file")
  func mnistSizedGrid() throws {
    let tile = (0..<784).map { Float(($0 % 28) + ($0 / 28)) / 54 }
    let rows = (0..<3).map { _ in [[Float]](repeating: tile, count: 10) }
    let image = ImageGrid().render(rows: rows)
    #expect(image.width == 2 + 10 * 30)
    #expect(image.height == 2 + 3 * 30)
    let png = image.png()
    let raw = try TestInflate.zlib(try TestInflate.chunks(png)[1].data)
    #expect(raw.count == image.height * (image.width + 1))
    #expect(png.count < raw.count / 2)
    let path = TestFiles.write(png, named: "grid.png")
    #expect(FileManager.default.contents(atPath: path).map { [UInt8]($0) } == png)
  }
}

/// A tiny deterministic byte source for test inputs.
struct LCG {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func byte() -> UInt8 {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return UInt8(truncatingIfNeeded: state >> 56)
  }
}

/// An independent PNG/zlib reader: enough of RFC 1950/1951 to check what the encoder emits.
enum TestInflate {
  struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
  }
  struct Chunk {
    var type: String
    var data: [UInt8]
  }

  static func bitwiseCRC(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
    }
    return ~crc
  }

  static func slowAdler(_ bytes: [UInt8]) -> UInt32 {
    var a = 1
    var b = 0
    for byte in bytes {
      a = (a + Int(byte)) % 65521
      b = (b + a) % 65521
    }
    return UInt32(b << 16 | a)
  }

  static func be32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    bytes.reduce(0) { $0 << 8 | UInt32($1) }
  }

  /// Walks the chunks after the signature, checking each CRC.
  static func chunks(_ file: [UInt8]) throws -> [Chunk] {
    guard Array(file.prefix(8)) == [137, 80, 78, 71, 13, 10, 26, 10] else {
      throw Failure("bad signature")
    }
    var result: [Chunk] = []
    var at = 8
    while at < file.count {
      guard at + 12 <= file.count else { throw Failure("truncated chunk") }
      let length = Int(be32(file[at..<(at + 4)]))
      let body = Array(file[(at + 4)..<(at + 8 + length)])
      let crc = be32(file[(at + 8 + length)..<(at + 12 + length)])
      guard bitwiseCRC(body) == crc else { throw Failure("bad CRC") }
      result.append(
        Chunk(type: String(decoding: body[0..<4], as: UTF8.self), data: Array(body[4...])))
      at += 12 + length
    }
    return result
  }

  /// Inflates a zlib stream with stored and fixed-Huffman blocks, checking header and Adler-32.
  static func zlib(_ stream: [UInt8]) throws -> [UInt8] {
    guard stream.count >= 6, stream[0] & 0x0F == 8,
      (Int(stream[0]) << 8 | Int(stream[1])) % 31 == 0
    else { throw Failure("bad zlib header") }
    var bits = BitReader(bytes: stream, position: 16)
    var out: [UInt8] = []
    var final = false
    while !final {
      final = try bits.read(1) == 1
      switch try bits.read(2) {
      case 0:
        bits.alignToByte()
        let len = try bits.read(16)
        let nlen = try bits.read(16)
        guard len ^ nlen == 0xFFFF else { throw Failure("bad LEN/NLEN") }
        for _ in 0..<len { out.append(UInt8(try bits.read(8))) }
      case 1:
        try fixedBlock(&bits, &out)
      default: throw Failure("unsupported block type")
      }
    }
    bits.alignToByte()
    let end = bits.position / 8
    guard end + 4 == stream.count else { throw Failure("trailing bytes") }
    guard be32(stream[end...]) == slowAdler(out) else { throw Failure("bad Adler-32") }
    return out
  }

  static let lengthBase = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
    131, 163, 195, 227, 258,
  ]
  static let lengthExtra = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
  ]

  static func fixedBlock(_ bits: inout BitReader, _ out: inout [UInt8]) throws {
    while true {
      // Fixed codes are read most-significant bit first: 7, then 8, then 9 bits.
      var code = 0
      for _ in 0..<7 { code = code << 1 | (try bits.read(1)) }
      let symbol: Int
      if code <= 0x17 {
        symbol = 256 + code
      } else {
        code = code << 1 | (try bits.read(1))
        if code >= 0x30 && code <= 0xBF {
          symbol = code - 0x30
        } else if code >= 0xC0 && code <= 0xC7 {
          symbol = 280 + code - 0xC0
        } else {
          code = code << 1 | (try bits.read(1))
          symbol = 144 + code - 0x190
        }
      }
      if symbol < 256 {
        out.append(UInt8(symbol))
        continue
      }
      if symbol == 256 { return }
      let index = symbol - 257
      guard index < 29 else { throw Failure("bad length symbol") }
      let length = lengthBase[index] + (try bits.read(lengthExtra[index]))
      var dcode = 0
      for _ in 0..<5 { dcode = dcode << 1 | (try bits.read(1)) }
      guard dcode < 30 else { throw Failure("bad distance code") }
      // Distance bases: 1, 2, 3, 4, then doubling pairs with (dcode / 2 - 1) extra bits.
      let extra = dcode < 4 ? 0 : dcode / 2 - 1
      let base = dcode < 4 ? dcode + 1 : (2 + dcode % 2) << extra + 1
      let distance = base + (try bits.read(extra))
      guard distance <= out.count else { throw Failure("distance too far") }
      for _ in 0..<length { out.append(out[out.count - distance]) }
    }
  }

  struct BitReader {
    var bytes: [UInt8]
    var position: Int
    mutating func read(_ count: Int) throws -> Int {
      var value = 0
      for i in 0..<count {
        guard position / 8 < bytes.count else { throw Failure("out of data") }
        value |= Int((bytes[position / 8] >> UInt8(position % 8)) & 1) << i
        position += 1
      }
      return value
    }
    mutating func alignToByte() { position = (position + 7) / 8 * 8 }
  }
}

@Suite("pixel font") struct PixelFontTests {
  @Test("glyphs are 5×7, drawn at scale, clipped at the edges; labels widen the grid")
  func glyphs() {
    for (character, rows) in PixelFont.glyphs {
      let parts = rows.split(separator: "|")
      #expect(parts.count == 7 && parts.allSatisfy { $0.count == 5 }, "\(character)")
    }
    #expect(PixelFont.width(of: "AB", scale: 2) == 22)
    var pixels = [UInt8](repeating: 9, count: 6 * 7)
    PixelFont.draw("t", x: 0, y: 0, ink: 0, into: &pixels, width: 6)
    // 'T': a full top row, then the middle column.
    #expect(Array(pixels[0..<6]) == [0, 0, 0, 0, 0, 9])
    #expect(Array(pixels[6..<12]) == [9, 9, 0, 9, 9, 9])
    var small = [UInt8](repeating: 9, count: 4)
    PixelFont.draw("W?~", x: -3, y: -3, scale: 3, ink: 1, into: &small, width: 2)
    #expect(PixelFont.canDraw("a") && !PixelFont.canDraw("~"))
    let grid = ImageGrid(tileWidth: 28, tileHeight: 28, gap: 2, background: 200, labelScale: 2)
    let image = grid.render(rows: [[[Float](repeating: 1, count: 784)]], labels: ["PCA"])
    let margin = PixelFont.width(of: "PCA", scale: 2) + 4
    #expect(image.width == margin + 2 + 30)
    #expect(image.pixels.contains(0))  // black label ink on the light background
    #expect(image.pixels[2 * image.width + margin + 2] == 255)  // first tile pixel
  }
}
