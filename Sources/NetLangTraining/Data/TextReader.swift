// TextReader: `text(path, seq, heldout)` character corpora. The vocabulary is the sorted set of
// the file's characters (Unicode scalars); the first (1 − heldout) of the characters is the
// training part, the rest the held-out part; each part is cut into non-overlapping windows.

/// Reads text corpora into `chars`/`next` windows of character ids.
enum TextReader {
  static func load(path: String, sequence: Int, heldout: Double, part: TextPart) throws(DataError)
    -> Dataset
  {
    guard sequence >= 1 else {
      throw DataError(path: path, message: "seq must be at least 1, found \(sequence)")
    }
    guard heldout >= 0 && heldout < 1 else {
      throw DataError(path: path, message: "heldout must be in [0, 1), found \(heldout)")
    }
    let bytes = try FileBytes.read(path)
    guard !bytes.isEmpty else {
      throw DataError(path: path, message: "empty file, expected a text corpus")
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw DataError(
        path: path, location: "byte \(firstInvalidUTF8(bytes))",
        message: "invalid UTF-8, expected text")
    }
    let scalars = Array(text.unicodeScalars)
    let vocabulary = Vocabulary(of: scalars)
    let split = trainingLength(characters: scalars.count, heldout: heldout)
    let range = part == .training ? 0..<split : split..<scalars.count
    let windows = (range.count - 1) / sequence
    guard range.count >= 1, windows >= 1 else {
      throw DataError(
        path: path,
        message: "the \(part == .training ? "training" : "held-out") part has \(range.count) "
          + "characters, too few for one window of seq \(sequence) (needs \(sequence + 1))")
    }
    var chars = [Float](repeating: 0, count: windows * sequence)
    var next = [Float](repeating: 0, count: windows * sequence)
    var previous = Float(vocabulary.id(of: scalars[range.lowerBound]) ?? 0)
    for position in 0..<(windows * sequence) {
      let following = Float(vocabulary.id(of: scalars[range.lowerBound + position + 1]) ?? 0)
      chars[position] = previous
      next[position] = following
      previous = following
    }
    return Dataset(
      fields: [
        DataField(name: "chars", shape: [sequence], kind: .classIndex),
        DataField(name: "next", shape: [sequence], kind: .classIndex),
      ],
      values: [chars, next], count: windows, classes: vocabulary.count, vocabulary: vocabulary)
  }

  /// The schema of a corpus without building its windows: for ASCII text one pass over the
  /// bytes (the usual case, and `netlang check` stays fast); otherwise a full load.
  static func inspect(path: String, sequence: Int, heldout: Double, part: TextPart)
    throws(DataError) -> DataSchema
  {
    let bytes = try FileBytes.read(path)
    var seen = [Bool](repeating: false, count: 128)
    var ascii = true
    bytes.withUnsafeBufferPointer { buffer in
      for byte in buffer {
        if byte >= 128 {
          ascii = false
          break
        }
        seen[Int(byte)] = true
      }
    }
    guard ascii, sequence >= 1, heldout >= 0, heldout < 1, !bytes.isEmpty else {
      return try load(path: path, sequence: sequence, heldout: heldout, part: part).schema
    }
    let split = trainingLength(characters: bytes.count, heldout: heldout)
    let length = part == .training ? split : bytes.count - split
    let windows = (length - 1) / sequence
    guard length >= 1, windows >= 1 else {
      return try load(path: path, sequence: sequence, heldout: heldout, part: part).schema
    }
    let vocabulary = seen.filter { $0 }.count
    return DataSchema(
      fields: [
        DataField(name: "chars", shape: [sequence], kind: .classIndex),
        DataField(name: "next", shape: [sequence], kind: .classIndex),
      ], size: windows, classes: vocabulary, vocabulary: vocabulary)
  }

  /// The number of characters in the training part: ⌊n · (1 − heldout)⌋.
  static func trainingLength(characters: Int, heldout: Double) -> Int {
    min(characters, max(0, Int((Double(characters) * (1 - heldout)).rounded(.down))))
  }

  /// The offset of the first byte that is not part of valid UTF-8.
  private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
    var decoder = UTF8()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
      switch decoder.decode(&iterator) {
      case .scalarValue(let scalar): offset += UTF8.width(scalar)
      case .emptyInput, .error: return offset
      }
    }
  }
}
