// SafeTensors: the safetensors file format (8-byte little-endian header length, a JSON header
// of dtype/shape/data_offsets per tensor plus optional __metadata__, then the raw data).

/// A named tensor as stored in a checkpoint.
public struct NamedTensor: Equatable, Sendable {
  public var name: String
  public var shape: [Int]
  public var values: [Float]
  public init(name: String, shape: [Int], values: [Float]) {
    self.name = name
    self.shape = shape
    self.values = values
  }
}

/// The tensors and the string metadata of a safetensors file.
public struct SafeTensorsContents: Equatable, Sendable {
  /// Sorted by name.
  public var tensors: [NamedTensor]
  public var metadata: [String: String]
}

/// Reading and writing safetensors.
///
/// Writes F32; reads F32, F64, F16, BF16 and the integer
/// dtypes, converting to Float.
public enum SafeTensors {
  /// The largest header accepted (as the Python package).
  static let maximumHeader = 100_000_000

  /// The file bytes for `tensors` (sorted by name, F32) and `metadata`.
  public static func encode(_ tensors: [NamedTensor], metadata: [String: String] = [:]) -> [UInt8] {
    let sorted = tensors.sorted { $0.name < $1.name }
    var entries: [String] = []
    if !metadata.isEmpty {
      let members = metadata.keys.sorted().map { key in
        JSONWriter.quoted(key) + ":" + JSONWriter.quoted(metadata[key] ?? "")
      }
      entries.append("\"__metadata__\":{" + members.joined(separator: ",") + "}")
    }
    var offset = 0
    for tensor in sorted {
      precondition(tensor.shape.reduce(1, *) == tensor.values.count, "shape of \(tensor.name)")
      let end = offset + 4 * tensor.values.count
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      entries.append(
        JSONWriter.quoted(tensor.name) + ":{\"dtype\":\"F32\",\"shape\":[\(shape)],"
          + "\"data_offsets\":[\(offset),\(end)]}")
      offset = end
    }
    var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
    while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(8 + header.count + offset)
    let length = UInt64(header.count)
    for shift in stride(from: 0, to: 64, by: 8) {
      bytes.append(UInt8(truncatingIfNeeded: length >> UInt64(shift)))
    }
    bytes += header
    for tensor in sorted {
      for value in tensor.values {
        let bits = value.bitPattern
        bytes += [
          UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8),
          UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24),
        ]
      }
    }
    return bytes
  }

  /// Writes `tensors` to `path` atomically.
  public static func write(
    _ tensors: [NamedTensor], metadata: [String: String] = [:], to path: String
  ) throws(DataError) {
    try AtomicFile.write(encode(tensors, metadata: metadata), to: path)
  }

  /// The tensors of the file at `path`, sorted by name.
  public static func read(_ path: String) throws(DataError) -> [NamedTensor] {
    try readContents(path).tensors
  }

  /// The tensors and metadata of the file at `path`.
  public static func readContents(_ path: String) throws(DataError) -> SafeTensorsContents {
    try decodeContents(FileBytes.read(path), path: path)
  }

  /// The tensors of `bytes` (a whole file), sorted by name; `path` names it in errors.
  public static func decode(_ bytes: [UInt8], path: String = "") throws(DataError) -> [NamedTensor]
  {
    try decodeContents(bytes, path: path).tensors
  }

  /// The tensors and metadata of `bytes`.
  public static func decodeContents(_ bytes: [UInt8], path: String = "") throws(DataError)
    -> SafeTensorsContents
  {
    guard bytes.count >= 8 else {
      throw DataError(
        path: path, location: "byte \(bytes.count)",
        message: "truncated: expected an 8-byte header length, the file has \(bytes.count) bytes")
    }
    var length: UInt64 = 0
    for index in 0..<8 { length |= UInt64(bytes[index]) << UInt64(8 * index) }
    guard length <= UInt64(min(maximumHeader, bytes.count - 8)) else {
      throw DataError(
        path: path, location: "byte 0",
        message: "header length \(length) exceeds the \(bytes.count - 8) bytes that follow; "
          + "not a safetensors file, or truncated")
    }
    let headerEnd = 8 + Int(length)
    let header: JSONValue
    do {
      header = try JSONParser.parse(bytes[8..<headerEnd])
    } catch {
      throw DataError(
        path: path, location: "byte \(8 + error.offset)",
        message: "bad JSON header: \(error.message)")
    }
    guard case .object(let members) = header else {
      throw DataError(path: path, location: "byte 8", message: "expected a JSON object as header")
    }
    let dataSize = bytes.count - headerEnd
    var metadata: [String: String] = [:]
    var tensors: [NamedTensor] = []
    for (name, entry) in members {
      if name == "__metadata__" {
        metadata = try readMetadata(entry, path: path)
        continue
      }
      tensors.append(
        try readTensor(
          name, entry, bytes: bytes, dataStart: headerEnd, dataSize: dataSize, path: path))
    }
    return SafeTensorsContents(tensors: tensors.sorted { $0.name < $1.name }, metadata: metadata)
  }

  private static func readMetadata(_ entry: JSONValue, path: String) throws(DataError) -> [String:
    String]
  {
    guard case .object(let members) = entry else {
      throw DataError(
        path: path, location: "header", message: "__metadata__ must be an object of strings")
    }
    var result: [String: String] = [:]
    for (key, value) in members {
      guard let text = value.string else {
        throw DataError(
          path: path, location: "header", message: "__metadata__ '\(key)' must be a string")
      }
      result[key] = text
    }
    return result
  }

  private static func readTensor(
    _ name: String, _ entry: JSONValue, bytes: [UInt8], dataStart: Int, dataSize: Int, path: String
  ) throws(DataError) -> NamedTensor {
    let location = "tensor '\(name)'"
    guard case .object(let fields) = entry, let dtypeName = fields["dtype"]?.string,
      case .array(let shapeValues)? = fields["shape"],
      case .array(let offsetValues)? = fields["data_offsets"]
    else {
      throw DataError(
        path: path, location: location,
        message: "expected an object with dtype, shape and data_offsets")
    }
    guard let dtype = DType(rawValue: dtypeName) else {
      throw DataError(path: path, location: location, message: "unsupported dtype \(dtypeName)")
    }
    var shape: [Int] = []
    var count = 1
    for value in shapeValues {
      guard let dimension = value.wholeNumber else {
        throw DataError(
          path: path, location: location, message: "shape must hold whole numbers ≥ 0")
      }
      let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
      guard !overflow, product <= dataSize else {
        throw DataError(
          path: path, location: location, message: "shape is larger than the data in the file")
      }
      shape.append(dimension)
      count = product
    }
    guard offsetValues.count == 2, let begin = offsetValues[0].wholeNumber,
      let end = offsetValues[1].wholeNumber, begin <= end, end <= dataSize
    else {
      throw DataError(
        path: path, location: location,
        message: "data_offsets must be [begin, end] within the \(dataSize) data bytes")
    }
    guard end - begin == count * dtype.byteCount else {
      throw DataError(
        path: path, location: location,
        message: "data_offsets cover \(end - begin) bytes, shape \(shape) of \(dtypeName) needs "
          + "\(count * dtype.byteCount)")
    }
    var values = [Float](repeating: 0, count: count)
    let start = dataStart + begin
    for index in 0..<count {
      values[index] = dtype.value(bytes, at: start + index * dtype.byteCount)
    }
    return NamedTensor(name: name, shape: shape, values: values)
  }
}

/// The element types read from safetensors files.
enum DType: String {
  case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16"
  case i8 = "I8", u8 = "U8", i16 = "I16", i32 = "I32", i64 = "I64", bool = "BOOL"

  var byteCount: Int {
    switch self {
    case .i8, .u8, .bool: 1
    case .f16, .bf16, .i16: 2
    case .f32, .i32: 4
    case .f64, .i64: 8
    }
  }

  /// The little-endian element at `offset` as a Float.
  func value(_ bytes: [UInt8], at offset: Int) -> Float {
    var bits: UInt64 = 0
    for index in 0..<byteCount { bits |= UInt64(bytes[offset + index]) << UInt64(8 * index) }
    switch self {
    case .f32: return Float(bitPattern: UInt32(truncatingIfNeeded: bits))
    case .f64: return Float(Double(bitPattern: bits))
    case .f16: return Self.halfToFloat(UInt16(truncatingIfNeeded: bits))
    case .bf16: return Float(bitPattern: UInt32(truncatingIfNeeded: bits) << 16)
    case .i8: return Float(Int8(truncatingIfNeeded: bits))
    case .u8, .bool: return Float(bits)
    case .i16: return Float(Int16(truncatingIfNeeded: bits))
    case .i32: return Float(Int32(truncatingIfNeeded: bits))
    case .i64: return Float(Int64(bitPattern: bits))
    }
  }

  /// IEEE binary16 to Float, including subnormals, infinities and NaN.
  static func halfToFloat(_ half: UInt16) -> Float {
    let sign: Float = half & 0x8000 != 0 ? -1 : 1
    let exponent = Int((half >> 10) & 0x1F)
    let mantissa = Float(half & 0x3FF)
    switch exponent {
    case 0: return sign * mantissa * 0x1p-24
    case 31: return mantissa == 0 ? sign * .infinity : .nan
    default:
      return sign * (1 + mantissa / 1024)
        * Float(sign: .plus, exponent: exponent - 15, significand: 1)
    }
  }
}
