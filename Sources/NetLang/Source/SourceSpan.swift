// SourceSpan: a half-open byte range in one source file. Every token, AST node, checked node
// and diagnostic carries one, so errors at any stage point back at the text.

/// A half-open range `start..<end` of byte offsets into `SourceFile.bytes`.
public struct SourceSpan: Hashable, Sendable {
  public var file: FileID
  public var start: Int
  public var end: Int

  public init(file: FileID, start: Int, end: Int) {
    self.file = file
    self.start = start
    self.end = max(start, end)
  }

  /// The smallest span covering both (same file assumed; `self`'s file wins otherwise).
  public func merged(with other: SourceSpan) -> SourceSpan {
    guard other.file == file else { return self }
    return SourceSpan(file: file, start: min(start, other.start), end: max(end, other.end))
  }

  /// An empty span at this span's start.
  public var startPoint: SourceSpan { SourceSpan(file: file, start: start, end: start) }
  /// An empty span at this span's end.
  public var endPoint: SourceSpan { SourceSpan(file: file, start: end, end: end) }
  public var length: Int { end - start }
}
