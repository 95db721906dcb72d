// Protobuf: the wire format ONNX files are written in (varints, length-delimited fields,
// fixed 32/64-bit values), as a writer for export and a reader for tests and checks.

/// The wire type of a field, the low three bits of its key.
public enum WireType: UInt8, Sendable {
  case varint = 0
  case fixed64 = 1
  case lengthDelimited = 2
  case fixed32 = 5
}

/// Appends fields of one protobuf message to a byte buffer.
///
/// Nested messages are written by encoding them into their own writer first and adding its
/// bytes as a length-delimited field.
public struct ProtobufWriter: Sendable {
  public private(set) var bytes: [UInt8] = []

  public init() {}

  /// A varint: 7 bits per byte, least significant first, high bit set on all but the last.
  public mutating func appendVarint(_ value: UInt64) {
    var rest = value
    while rest >= 0x80 {
      bytes.append(UInt8(rest & 0x7F) | 0x80)
      rest >>= 7
    }
    bytes.append(UInt8(rest))
  }

  mutating func appendKey(_ field: Int, _ wireType: WireType) {
    appendVarint(UInt64(field) << 3 | UInt64(wireType.rawValue))
  }

  /// An `int64`/`int32`/`enum` field; negative values take ten bytes (two's complement).
  public mutating func int(_ field: Int, _ value: Int64) {
    appendKey(field, .varint)
    appendVarint(UInt64(bitPattern: value))
  }

  /// A `uint64` field.
  public mutating func unsigned(_ field: Int, _ value: UInt64) {
    appendKey(field, .varint)
    appendVarint(value)
  }

  /// A `float` field (fixed32, little-endian IEEE 754).
  public mutating func float(_ field: Int, _ value: Float) {
    appendKey(field, .fixed32)
    appendLittleEndian(UInt64(value.bitPattern), bytes: 4)
  }

  /// A `double` field (fixed64).
  public mutating func double(_ field: Int, _ value: Double) {
    appendKey(field, .fixed64)
    appendLittleEndian(value.bitPattern, bytes: 8)
  }

  /// A `bytes` field.
  public mutating func bytes(_ field: Int, _ value: [UInt8]) {
    appendKey(field, .lengthDelimited)
    appendVarint(UInt64(value.count))
    bytes.append(contentsOf: value)
  }

  /// A `string` field, UTF-8.
  public mutating func string(_ field: Int, _ value: String) {
    bytes(field, Array(value.utf8))
  }

  /// A nested message field.
  public mutating func message(_ field: Int, _ message: ProtobufWriter) {
    bytes(field, message.bytes)
  }

  /// A packed repeated `int64` field: one length-delimited field holding the varints.
  public mutating func packedInts(_ field: Int, _ values: [Int64]) {
    var inner = ProtobufWriter()
    for value in values { inner.appendVarint(UInt64(bitPattern: value)) }
    bytes(field, inner.bytes)
  }

  /// A packed repeated `float` field.
  public mutating func packedFloats(_ field: Int, _ values: [Float]) {
    var inner = ProtobufWriter()
    for value in values { inner.appendLittleEndian(UInt64(value.bitPattern), bytes: 4) }
    bytes(field, inner.bytes)
  }

  mutating func appendLittleEndian(_ value: UInt64, bytes count: Int) {
    for index in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
  }
}

/// Why bytes are not a valid protobuf message.
public enum ProtobufError: Error, Equatable, Sendable, CustomStringConvertible {
  case truncated(offset: Int)
  case varintTooLong(offset: Int)
  case unsupportedWireType(UInt8, offset: Int)
  case wrongWireType(field: Int)
  case invalidUTF8(field: Int)

  public var description: String {
    switch self {
    case .truncated(let offset): "message ends early at byte \(offset)"
    case .varintTooLong(let offset): "varint longer than 10 bytes at byte \(offset)"
    case .unsupportedWireType(let type, let offset): "wire type \(type) at byte \(offset)"
    case .wrongWireType(let field): "field \(field) has an unexpected wire type"
    case .invalidUTF8(let field): "field \(field) is not UTF-8"
    }
  }
}

/// One decoded field: its number and raw value.
public struct ProtobufField: Equatable, Sendable {
  public enum Value: Equatable, Sendable {
    case varint(UInt64)
    case fixed64(UInt64)
    case lengthDelimited([UInt8])
    case fixed32(UInt32)
  }
  public var number: Int
  public var value: Value
}

/// The fields of one message, in file order, with typed accessors.
///
/// Repeated fields are read in either encoding (packed or one field per value), as protobuf
/// readers must accept both.
public struct ProtobufMessage: Equatable, Sendable {
  public var fields: [ProtobufField]

  /// Decodes `bytes` as one message.
  public init(_ bytes: [UInt8]) throws(ProtobufError) {
    var fields: [ProtobufField] = []
    var offset = 0
    while offset < bytes.count {
      let key = try ProtobufMessage.varint(bytes, &offset)
      let number = Int(key >> 3)
      let wire = UInt8(key & 7)
      switch WireType(rawValue: wire) {
      case .varint:
        fields.append(
          .init(number: number, value: .varint(try ProtobufMessage.varint(bytes, &offset))))
      case .fixed64:
        let raw = try ProtobufMessage.littleEndian(bytes, &offset, count: 8)
        fields.append(.init(number: number, value: .fixed64(raw)))
      case .fixed32:
        let raw = try ProtobufMessage.littleEndian(bytes, &offset, count: 4)
        fields.append(.init(number: number, value: .fixed32(UInt32(raw))))
      case .lengthDelimited:
        let length = try ProtobufMessage.varint(bytes, &offset)
        guard length <= UInt64(bytes.count - offset) else { throw .truncated(offset: offset) }
        let end = offset + Int(length)
        fields.append(.init(number: number, value: .lengthDelimited(Array(bytes[offset..<end]))))
        offset = end
      case nil:
        throw .unsupportedWireType(wire, offset: offset)
      }
    }
    self.fields = fields
  }

  static func varint(_ bytes: [UInt8], _ offset: inout Int) throws(ProtobufError) -> UInt64 {
    let start = offset
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      guard offset < bytes.count else { throw .truncated(offset: offset) }
      guard shift < 64 else { throw .varintTooLong(offset: start) }
      let byte = bytes[offset]
      offset += 1
      result |= UInt64(byte & 0x7F) << shift
      if byte & 0x80 == 0 { return result }
      shift += 7
    }
  }

  static func littleEndian(
    _ bytes: [UInt8], _ offset: inout Int, count: Int
  ) throws(ProtobufError) -> UInt64 {
    guard bytes.count - offset >= count else { throw .truncated(offset: offset) }
    var result: UInt64 = 0
    for index in 0..<count { result |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
    offset += count
    return result
  }

  // MARK: Typed access

  func all(_ number: Int) -> [ProtobufField.Value] {
    fields.filter { $0.number == number }.map(\.value)
  }

  /// The last value of a varint field as a signed integer (protobuf: last one wins).
  public func int(_ number: Int) throws(ProtobufError) -> Int64? {
    try ints(number).last
  }

  /// Every value of a repeated `int64` field, packed or not.
  public func ints(_ number: Int) throws(ProtobufError) -> [Int64] {
    var result: [Int64] = []
    for value in all(number) {
      switch value {
      case .varint(let raw): result.append(Int64(bitPattern: raw))
      case .lengthDelimited(let packed):
        var offset = 0
        while offset < packed.count {
          result.append(Int64(bitPattern: try ProtobufMessage.varint(packed, &offset)))
        }
      default: throw .wrongWireType(field: number)
      }
    }
    return result
  }

  /// The last value of a `float` field.
  public func float(_ number: Int) throws(ProtobufError) -> Float? {
    try floats(number).last
  }

  /// Every value of a repeated `float` field, packed or not.
  public func floats(_ number: Int) throws(ProtobufError) -> [Float] {
    var result: [Float] = []
    for value in all(number) {
      switch value {
      case .fixed32(let raw): result.append(Float(bitPattern: raw))
      case .lengthDelimited(let packed):
        var offset = 0
        while offset < packed.count {
          let raw = try ProtobufMessage.littleEndian(packed, &offset, count: 4)
          result.append(Float(bitPattern: UInt32(raw)))
        }
      default: throw .wrongWireType(field: number)
      }
    }
    return result
  }

  /// Every value of a `bytes` (or nested message) field.
  public func byteStrings(_ number: Int) throws(ProtobufError) -> [[UInt8]] {
    var result: [[UInt8]] = []
    for value in all(number) {
      guard case .lengthDelimited(let bytes) = value else { throw .wrongWireType(field: number) }
      result.append(bytes)
    }
    return result
  }

  /// Every value of a repeated `string` field.
  public func strings(_ number: Int) throws(ProtobufError) -> [String] {
    var result: [String] = []
    for bytes in try byteStrings(number) {
      guard let text = String(validating: bytes, as: UTF8.self) else {
        throw .invalidUTF8(field: number)
      }
      result.append(text)
    }
    return result
  }

  /// The last value of a `string` field.
  public func string(_ number: Int) throws(ProtobufError) -> String? {
    try strings(number).last
  }

  /// Every value of a repeated message field, decoded.
  public func messages(_ number: Int) throws(ProtobufError) -> [ProtobufMessage] {
    var result: [ProtobufMessage] = []
    for bytes in try byteStrings(number) { result.append(try ProtobufMessage(bytes)) }
    return result
  }

  /// The last value of a message field, decoded.
  public func message(_ number: Int) throws(ProtobufError) -> ProtobufMessage? {
    try messages(number).last
  }
}
