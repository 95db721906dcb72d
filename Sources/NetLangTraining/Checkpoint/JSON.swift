// JSON: a small JSON reader and string escaper for safetensors headers. Never traps on bad
// input: every problem is a JSONError with the byte offset.

/// A parsed JSON value.
enum JSONValue: Equatable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  /// The value as a whole number in 0...2⁵³, else nil.
  var wholeNumber: Int? {
    guard case .number(let value) = self, value >= 0, value <= 9_007_199_254_740_992,
      value.rounded() == value
    else { return nil }
    return Int(value)
  }

  var string: String? {
    if case .string(let text) = self { return text }
    return nil
  }
}

/// A JSON syntax error at a byte offset of the text.
struct JSONError: Error {
  var offset: Int
  var message: String
}

/// A recursive-descent JSON parser over UTF-8 bytes, nesting limited to `maximumDepth`.
struct JSONParser {
  static let maximumDepth = 64
  private let bytes: ArraySlice<UInt8>
  private var position: Int

  /// Parses `bytes` as exactly one JSON value (whitespace around it allowed).
  static func parse(_ bytes: ArraySlice<UInt8>) throws(JSONError) -> JSONValue {
    var parser = JSONParser(bytes: bytes, position: bytes.startIndex)
    let value = try parser.value(depth: 0)
    parser.skipWhitespace()
    guard parser.position == bytes.endIndex else {
      throw parser.error("unexpected text after the value")
    }
    return value
  }

  private func error(_ message: String) -> JSONError {
    JSONError(offset: position - bytes.startIndex, message: message)
  }

  private var current: UInt8? { position < bytes.endIndex ? bytes[position] : nil }

  private mutating func skipWhitespace() {
    while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
      position += 1
    }
  }

  private mutating func expect(_ byte: UInt8, _ what: String) throws(JSONError) {
    guard current == byte else { throw error("expected \(what)") }
    position += 1
  }

  private mutating func value(depth: Int) throws(JSONError) -> JSONValue {
    guard depth < Self.maximumDepth else { throw error("nested too deeply") }
    skipWhitespace()
    guard let byte = current else { throw error("expected a value, found the end") }
    switch byte {
    case UInt8(ascii: "{"): return try object(depth: depth)
    case UInt8(ascii: "["): return try array(depth: depth)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw error("expected a value")
    }
  }

  private mutating func literal(_ word: String) throws(JSONError) {
    for byte in word.utf8 {
      guard current == byte else { throw error("expected '\(word)'") }
      position += 1
    }
  }

  private mutating func object(depth: Int) throws(JSONError) -> JSONValue {
    position += 1
    var members: [String: JSONValue] = [:]
    skipWhitespace()
    if current == UInt8(ascii: "}") {
      position += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard current == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
      let key = try string()
      skipWhitespace()
      try expect(UInt8(ascii: ":"), "':' after a member name")
      guard members[key] == nil else { throw error("member '\(key)' appears twice") }
      members[key] = try value(depth: depth + 1)
      skipWhitespace()
      if current == UInt8(ascii: ",") {
        position += 1
        continue
      }
      try expect(UInt8(ascii: "}"), "',' or '}' in an object")
      return .object(members)
    }
  }

  private mutating func array(depth: Int) throws(JSONError) -> JSONValue {
    position += 1
    var elements: [JSONValue] = []
    skipWhitespace()
    if current == UInt8(ascii: "]") {
      position += 1
      return .array(elements)
    }
    while true {
      elements.append(try value(depth: depth + 1))
      skipWhitespace()
      if current == UInt8(ascii: ",") {
        position += 1
        continue
      }
      try expect(UInt8(ascii: "]"), "',' or ']' in an array")
      return .array(elements)
    }
  }

  private mutating func number() throws(JSONError) -> JSONValue {
    let start = position
    while let byte = current,
      byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
        || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    {
      position += 1
    }
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    guard let value = Double(text), value.isFinite else {
      position = start
      throw error("bad number '\(text)'")
    }
    return .number(value)
  }

  private mutating func string() throws(JSONError) -> String {
    position += 1
    var scalars = String.UnicodeScalarView()
    var raw: [UInt8] = []
    func flush() throws(JSONError) {
      guard !raw.isEmpty else { return }
      guard let text = String(validating: raw, as: UTF8.self) else {
        throw error("invalid UTF-8 in a string")
      }
      scalars.append(contentsOf: text.unicodeScalars)
      raw.removeAll()
    }
    while true {
      guard let byte = current else { throw error("unterminated string") }
      position += 1
      switch byte {
      case UInt8(ascii: "\""):
        try flush()
        return String(scalars)
      case UInt8(ascii: "\\"):
        try flush()
        guard let escape = current else { throw error("unterminated string") }
        position += 1
        switch escape {
        case UInt8(ascii: "\""): scalars.append("\"")
        case UInt8(ascii: "\\"): scalars.append("\\")
        case UInt8(ascii: "/"): scalars.append("/")
        case UInt8(ascii: "b"): scalars.append("\u{08}")
        case UInt8(ascii: "f"): scalars.append("\u{0C}")
        case UInt8(ascii: "n"): scalars.append("\n")
        case UInt8(ascii: "r"): scalars.append("\r")
        case UInt8(ascii: "t"): scalars.append("\t")
        case UInt8(ascii: "u"): scalars.append(try unicodeEscape())
        default: throw error("bad escape in a string")
        }
      case 0..<0x20:
        throw error("control character in a string")
      default:
        raw.append(byte)
      }
    }
  }

  /// The scalar of `\uXXXX` (after the `u`), joining a surrogate pair.
  private mutating func unicodeEscape() throws(JSONError) -> Unicode.Scalar {
    let high = try hexQuad()
    if (0xD800..<0xDC00).contains(high) {
      guard current == UInt8(ascii: "\\") else { throw error("unpaired surrogate") }
      position += 1
      guard current == UInt8(ascii: "u") else { throw error("unpaired surrogate") }
      position += 1
      let low = try hexQuad()
      guard (0xDC00..<0xE000).contains(low),
        let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
      else { throw error("bad surrogate pair") }
      return scalar
    }
    guard let scalar = Unicode.Scalar(high) else { throw error("unpaired surrogate") }
    return scalar
  }

  private mutating func hexQuad() throws(JSONError) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      guard let byte = current, let digit = UInt32(String(UnicodeScalar(byte)), radix: 16) else {
        throw error("expected four hex digits")
      }
      value = value * 16 + digit
      position += 1
    }
    return value
  }
}

/// JSON text for strings (safetensors headers and the driver's JSON Lines log).
public enum JSONWriter {
  /// `text` as a quoted JSON string.
  public static func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }
}
