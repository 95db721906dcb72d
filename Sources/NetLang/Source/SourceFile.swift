// SourceFile: the text of one `.net` file plus a line-start table, so byte offsets in spans
// turn into (line, column) for diagnostics. The first stage every file passes through.

/// Identifies one file among those a run has read (the main file and its imports).
public struct FileID: Hashable, Sendable, Comparable {
  public let rawValue: Int
  public init(_ rawValue: Int) { self.rawValue = rawValue }
  public static func < (lhs: FileID, rhs: FileID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One source file's text, repaired to valid UTF-8, with its line starts.
public struct SourceFile: Sendable {
  /// The path as the user wrote or as an import resolved it; shown in diagnostics.
  public let path: String
  public let id: FileID
  /// The text; invalid UTF-8 sequences in the original bytes became U+FFFD.
  public let text: String
  /// The UTF-8 bytes of `text`. Spans are offsets into this array.
  public let bytes: [UInt8]
  /// Byte offset at which each line starts; lines end at "\n" (a "\r" before it is ignored).
  public let lineStarts: [Int]

  public init(path: String, id: FileID, bytes original: [UInt8]) {
    // A byte-order mark is not part of the text: dropping it here keeps columns on line 1 right.
    let hasBOM = original.count >= 3 && original[0] == 0xEF && original[1] == 0xBB
      && original[2] == 0xBF
    let text = String(decoding: hasBOM ? original[3...] : original[...], as: UTF8.self)
    self.path = path
    self.id = id
    self.text = text
    self.bytes = Array(text.utf8)
    var starts = [0]
    self.bytes.withUnsafeBufferPointer { buffer in
      for offset in 0..<buffer.count where buffer[offset] == UInt8(ascii: "\n") {
        starts.append(offset + 1)
      }
    }
    self.lineStarts = starts
  }

  public init(path: String, id: FileID = FileID(0), text: String) {
    self.init(path: path, id: id, bytes: Array(text.utf8))
  }

  /// The 1-based line containing `offset`.
  public func line(of offset: Int) -> Int {
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let mid = (low + high + 1) / 2
      if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
    }
    return low + 1
  }

  /// The 1-based (line, column) of `offset`; columns count characters, not bytes.
  public func location(of offset: Int) -> (line: Int, column: Int) {
    let clamped = max(0, min(offset, bytes.count))
    let line = line(of: clamped)
    let start = lineStarts[line - 1]
    return (line, characterCount(from: start, to: clamped) + 1)
  }

  /// The bytes of a 1-based line, without its "\n" or "\r\n".
  public func lineBytes(_ line: Int) -> ArraySlice<UInt8> {
    let start = lineStarts[line - 1]
    var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
    if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    return bytes[start..<max(start, end)]
  }

  /// Number of characters (Unicode scalars that start a character) between two byte offsets.
  public func characterCount(from start: Int, to end: Int) -> Int {
    guard end > start else { return 0 }
    // Counting UTF-8 lead bytes counts scalars; cheap, and exact for the text people write.
    var count = 0
    for index in start..<min(end, bytes.count) where bytes[index] & 0xC0 != 0x80 {
      count += 1
    }
    return count
  }

  /// The source text of a span.
  public func text(of span: SourceSpan) -> String {
    let start = max(0, min(span.start, bytes.count))
    let end = max(start, min(span.end, bytes.count))
    return String(decoding: bytes[start..<end], as: UTF8.self)
  }
}

/// All files a run has read, indexed by `FileID`.
public struct SourceFiles: Sendable {
  public private(set) var files: [SourceFile] = []
  public init() {}

  /// Adds a file read from `bytes` and returns its id.
  public mutating func add(path: String, bytes: [UInt8]) -> FileID {
    let id = FileID(files.count)
    files.append(SourceFile(path: path, id: id, bytes: bytes))
    return id
  }

  public subscript(id: FileID) -> SourceFile { files[id.rawValue] }

  /// "path:line:column" of a span's start.
  public func describe(_ span: SourceSpan) -> String {
    let file = self[span.file]
    let (line, column) = file.location(of: span.start)
    return "\(file.path):\(line):\(column)"
  }
}
