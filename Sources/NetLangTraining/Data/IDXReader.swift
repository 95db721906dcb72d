// IDXReader: MNIST's IDX files. Header: two zero bytes, a type byte, a dimension count, then
// one big-endian UInt32 per dimension; the payload follows, row-major, big-endian.

import NetLangTensor

/// The element types an IDX file may hold.
enum IDXType: UInt8 {
  case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

  var byteCount: Int {
    switch self {
    case .uint8, .int8: 1
    case .int16: 2
    case .int32, .float32: 4
    case .float64: 8
    }
  }
}

/// The parsed header of an IDX file.
struct IDXHeader {
  var type: IDXType
  /// All dimensions, the first being the number of examples.
  var dimensions: [Int]
  var headerBytes: Int { 4 + 4 * dimensions.count }
  var count: Int { dimensions[0] }
  /// Elements per example.
  var exampleElements: Int { dimensions.dropFirst().reduce(1, *) }
  var payloadBytes: Int { count * exampleElements * type.byteCount }
}

/// Reads `idx(images, labels, scale)` data sets: field `image` and, with labels, `label`.
enum IDXReader {
  /// The largest header we read before knowing the dimension count (4 + 4·255 bytes).
  private static let maximumHeader = 4 + 4 * 255

  static func inspect(images: String, labels: String?) throws(DataError) -> DataSchema {
    let (prefix, size) = try FileBytes.readPrefix(images, count: maximumHeader)
    let header = try parseHeader(prefix, path: images)
    try checkSize(header, fileSize: size, path: images)
    var fields = [DataField(name: "image", shape: imageShape(header), kind: .real)]
    var classes: Int?
    if let labels {
      let values = try readLabels(labels, expectedCount: header.count, imagesPath: images)
      classes = (values.max() ?? -1) + 1
      fields.append(DataField(name: "label", shape: [], kind: .classIndex))
    }
    return DataSchema(fields: fields, size: header.count, classes: classes)
  }

  static func load(images: String, labels: String?, scale: Double) throws(DataError) -> Dataset {
    let bytes = try FileBytes.read(images)
    let header = try parseHeader(bytes, path: images)
    try checkSize(header, fileSize: bytes.count, path: images)
    var pixels = decode(bytes, header: header)
    if scale != 1 {
      let factor = Float(scale)
      for i in pixels.indices { pixels[i] *= factor }
    }
    var fields = [DataField(name: "image", shape: imageShape(header), kind: .real)]
    var columns = [pixels]
    var classes: Int?
    if let labels {
      let values = try readLabels(labels, expectedCount: header.count, imagesPath: images)
      classes = (values.max() ?? -1) + 1
      fields.append(DataField(name: "label", shape: [], kind: .classIndex))
      columns.append(values.map(Float.init))
    }
    return Dataset(fields: fields, values: columns, count: header.count, classes: classes)
  }

  /// `[1, h, w]` for 3-dimensional files (one channel), otherwise the per-example dimensions.
  static func imageShape(_ header: IDXHeader) -> Shape {
    let rest = Array(header.dimensions.dropFirst())
    return rest.count == 2 ? Shape([1] + rest) : Shape(rest)
  }

  static func parseHeader(_ bytes: [UInt8], path: String) throws(DataError) -> IDXHeader {
    guard bytes.count >= 4 else {
      if bytes.isEmpty {
        throw DataError(path: path, message: "empty file, expected an IDX header")
      }
      throw DataError(
        path: path, location: "byte \(bytes.count)",
        message: "truncated header: expected 4 magic bytes, found \(bytes.count)")
    }
    let magic = bytes[0..<4].map { String($0, radix: 16) }.joined(separator: " ")
    guard bytes[0] == 0, bytes[1] == 0, let type = IDXType(rawValue: bytes[2]) else {
      throw DataError(
        path: path, location: "byte 0",
        message: "bad magic number (bytes \(magic)), expected an IDX file starting 00 00 08 03 "
          + "(uint8 images), 00 00 0d 03 (float32 images) or 00 00 08 01 (labels)")
    }
    let rank = Int(bytes[3])
    guard rank >= 1 else {
      throw DataError(
        path: path, location: "byte 3", message: "an IDX file needs at least one dimension")
    }
    let headerBytes = 4 + 4 * rank
    guard bytes.count >= headerBytes else {
      throw DataError(
        path: path, location: "byte \(bytes.count)",
        message: "truncated header: expected \(headerBytes) header bytes for \(rank) dimensions, "
          + "file has \(bytes.count)")
    }
    var dimensions: [Int] = []
    for axis in 0..<rank {
      dimensions.append(Int(readUInt32(bytes, at: 4 + 4 * axis)))
    }
    var total = type.byteCount
    for dimension in dimensions {
      let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
      guard !overflow, product < 1 << 40 else {
        throw DataError(
          path: path, location: "byte 4",
          message: "dimensions " + dimensions.map(String.init).joined(separator: " × ")
            + " are too large for a data file")
      }
      total = product
    }
    return IDXHeader(type: type, dimensions: dimensions)
  }

  static func checkSize(_ header: IDXHeader, fileSize: Int, path: String) throws(DataError) {
    let expected = header.headerBytes + header.payloadBytes
    if fileSize < expected {
      throw DataError(
        path: path, location: "byte \(fileSize)",
        message: "truncated data: the header promises \(header.count) examples of "
          + "\(header.exampleElements) values (\(expected) bytes), the file has \(fileSize) bytes")
    }
    if fileSize > expected {
      throw DataError(
        path: path, location: "byte \(expected)",
        message: "\(fileSize - expected) bytes after the data the header describes "
          + "(expected a file of \(expected) bytes)")
    }
  }

  /// Label values as whole numbers ≥ 0, checked against the image count.
  static func readLabels(_ path: String, expectedCount: Int, imagesPath: String) throws(DataError)
    -> [Int]
  {
    let bytes = try FileBytes.read(path)
    let header = try parseHeader(bytes, path: path)
    try checkSize(header, fileSize: bytes.count, path: path)
    guard header.exampleElements == 1 else {
      throw DataError(
        path: path, location: "byte 0",
        message: "expected a 1-dimensional labels file, found dimensions "
          + header.dimensions.map(String.init).joined(separator: " × "))
    }
    guard header.count == expectedCount else {
      throw DataError(
        path: path,
        message: "\(header.count) labels for \(expectedCount) images in \(imagesPath)")
    }
    let values = decode(bytes, header: header)
    var labels: [Int] = []
    labels.reserveCapacity(values.count)
    for (index, value) in values.enumerated() {
      guard value >= 0, value.rounded() == value, value < 1e7 else {
        throw DataError(
          path: path, location: "label \(index + 1)",
          message: "expected a class label (a whole number ≥ 0), found \(value)")
      }
      labels.append(Int(value))
    }
    return labels
  }

  /// The payload as Floats.
  static func decode(_ bytes: [UInt8], header: IDXHeader) -> [Float] {
    let total = header.count * header.exampleElements
    let start = header.headerBytes
    var result = [Float](repeating: 0, count: total)
    switch header.type {
    case .uint8:
      for i in 0..<total { result[i] = Float(bytes[start + i]) }
    case .int8:
      for i in 0..<total { result[i] = Float(Int8(bitPattern: bytes[start + i])) }
    case .int16:
      for i in 0..<total {
        let high = UInt16(bytes[start + 2 * i]) << 8
        result[i] = Float(Int16(bitPattern: high | UInt16(bytes[start + 2 * i + 1])))
      }
    case .int32:
      for i in 0..<total {
        result[i] = Float(Int32(bitPattern: readUInt32(bytes, at: start + 4 * i)))
      }
    case .float32:
      for i in 0..<total { result[i] = Float(bitPattern: readUInt32(bytes, at: start + 4 * i)) }
    case .float64:
      for i in 0..<total {
        let high = UInt64(readUInt32(bytes, at: start + 8 * i)) << 32
        let bits = high | UInt64(readUInt32(bytes, at: start + 8 * i + 4))
        result[i] = Float(Double(bitPattern: bits))
      }
    }
    return result
  }

  /// The big-endian UInt32 at `offset`.
  static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
      | UInt32(bytes[offset + 3])
  }
}
