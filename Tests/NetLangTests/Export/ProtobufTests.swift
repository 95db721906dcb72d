// ProtobufTests: the wire-format writer against byte strings from the protobuf encoding guide
// and by hand, and the reader against the writer (round trips) and against malformed bytes.

import Testing

@testable import NetLang

@Suite("Protobuf wire format")
struct ProtobufTests {
  @Test("varints: 1 and 150 as in the encoding guide (08 01, 08 96 01)")
  func varints() {
    var one = ProtobufWriter()
    one.int(1, 1)
    #expect(one.bytes == [0x08, 0x01])
    var writer = ProtobufWriter()
    writer.int(1, 150)
    #expect(writer.bytes == [0x08, 0x96, 0x01])
  }

  @Test("a negative int64 takes ten bytes, two's complement, and reads back")
  func negativeInt64() throws {
    var writer = ProtobufWriter()
    writer.int(1, -1)
    #expect(writer.bytes == [0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
    var more = ProtobufWriter()
    more.int(3, -2)
    more.int(3, Int64.min)
    more.int(3, Int64.max)
    let message = try ProtobufMessage(more.bytes)
    #expect(try message.ints(3) == [-2, Int64.min, Int64.max])
    #expect(try message.int(3) == Int64.max)
  }

  @Test("a string field: 12 07 'testing' as in the encoding guide")
  func string() throws {
    var writer = ProtobufWriter()
    writer.string(2, "testing")
    #expect(writer.bytes == [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67])
    let message = try ProtobufMessage(writer.bytes)
    #expect(try message.string(2) == "testing")
    var unicode = ProtobufWriter()
    unicode.string(1, "épsilon ε")
    #expect(try ProtobufMessage(unicode.bytes).string(1) == "épsilon ε")
  }

  @Test("packed repeated int64: 22 06 03 8E 02 9E A7 05 as in the encoding guide")
  func packedInts() throws {
    var writer = ProtobufWriter()
    writer.packedInts(4, [3, 270, 86942])
    #expect(writer.bytes == [0x22, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05])
    #expect(try ProtobufMessage(writer.bytes).ints(4) == [3, 270, 86942])
  }

  @Test("unpacked repeated fields read the same as packed ones, in order")
  func unpacked() throws {
    var writer = ProtobufWriter()
    writer.int(4, 3)
    writer.packedInts(4, [270, -5])
    writer.int(4, 86942)
    writer.float(7, 1.5)
    writer.packedFloats(7, [-2, 0.25])
    let message = try ProtobufMessage(writer.bytes)
    #expect(try message.ints(4) == [3, 270, -5, 86942])
    #expect(try message.floats(7) == [1.5, -2, 0.25])
  }

  @Test("a float is fixed32 little-endian: 1.0 is 0D 00 00 80 3F")
  func float() throws {
    var writer = ProtobufWriter()
    writer.float(1, 1.0)
    #expect(writer.bytes == [0x0D, 0x00, 0x00, 0x80, 0x3F])
    var double = ProtobufWriter()
    double.double(2, 1.0)
    #expect(double.bytes == [0x11, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
    let message = try ProtobufMessage(double.bytes)
    #expect(message.fields == [ProtobufField(number: 2, value: .fixed64(0x3FF0_0000_0000_0000))])
  }

  @Test("nested messages round trip, with field numbers above 15 (two-byte keys)")
  func nested() throws {
    var inner = ProtobufWriter()
    inner.string(1, "w")
    inner.int(20, 7)
    var middle = ProtobufWriter()
    middle.message(5, inner)
    middle.message(5, inner)
    var outer = ProtobufWriter()
    outer.int(1, 8)
    outer.message(7, middle)
    // Key of field 20, varint: (20 << 3) | 0 = 160 = A0 01.
    #expect(inner.bytes == [0x0A, 0x01, 0x77, 0xA0, 0x01, 0x07])
    let decoded = try ProtobufMessage(outer.bytes)
    let items = try decoded.message(7)?.messages(5) ?? []
    #expect(items.count == 2)
    #expect(try items.map { try $0.string(1) } == ["w", "w"])
    #expect(try items.map { try $0.int(20) } == [7, 7])
  }

  @Test("malformed bytes are errors, not crashes")
  func malformed() {
    #expect(throws: ProtobufError.truncated(offset: 1)) { try ProtobufMessage([0x08]) }
    #expect(throws: ProtobufError.truncated(offset: 2)) {
      try ProtobufMessage([0x12, 0x05, 0x61])
    }
    #expect(throws: ProtobufError.unsupportedWireType(3, offset: 1)) {
      try ProtobufMessage([0x0B])
    }
    #expect(throws: ProtobufError.varintTooLong(offset: 1)) {
      try ProtobufMessage([0x08] + [UInt8](repeating: 0x80, count: 11))
    }
    #expect(throws: ProtobufError.invalidUTF8(field: 1)) {
      try ProtobufMessage([0x0A, 0x01, 0xFF]).string(1)
    }
    #expect(throws: ProtobufError.wrongWireType(field: 1)) {
      try ProtobufMessage([0x0D, 0, 0, 0, 0]).ints(1)
    }
  }
}
