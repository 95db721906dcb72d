// DiagnosticRenderer: Diagnostic values → the text a compiler prints. A header that editors
// can click (`file:line:col: error[E0301]: ...`), a numbered gutter, `^` under the primary
// span and `~` under highlights, then `= note:` / `= help:` lines. No colour.

/// Renders diagnostics against the files they point into.
public struct DiagnosticRenderer: Sendable {
  public let files: SourceFiles
  /// Lines longer than this are shown as a window around the marked columns.
  public var maxLineWidth = 120

  public init(files: SourceFiles) { self.files = files }

  /// All diagnostics, each followed by a blank line.
  public func render(_ diagnostics: [Diagnostic]) -> String {
    diagnostics.map { render($0) + "\n" }.joined()
  }

  /// One diagnostic.
  public func render(_ diagnostic: Diagnostic) -> String {
    let file = files[diagnostic.span.file]
    let (line, column) = location(in: file, of: diagnostic.span.start)
    let letter = diagnostic.severity == .warning ? "W" : "E"
    var out =
      "\(file.path):\(line):\(column): \(diagnostic.severity.rawValue)"
      + "[\(letter)\(diagnostic.code)]: \(diagnostic.message)\n"
    let sameLine = diagnostic.highlights.filter {
      $0.file == diagnostic.span.file && file.line(of: $0.start) == line
    }
    out += snippet(file: file, line: line, primary: diagnostic.span, highlights: sameLine)
    for note in diagnostic.notes {
      var text = "   = \(note.kind.rawValue): \(note.message)"
      if let span = note.span {
        let noteFile = files[span.file]
        let (noteLine, noteColumn) = location(in: noteFile, of: span.start)
        let place = "\(noteFile.path):\(noteLine):\(noteColumn)"
        if !note.message.contains(place) { text += " (at \(place))" }
      }
      out += text + "\n"
    }
    return out
  }

  /// The gutter, the source line and the marker line.
  ///
  /// NOTE: a line may be megabytes long. Every step here costs at most one pass over the line
  /// up to the marker, eight bytes at a time, and only the shown window is decoded.
  private func snippet(
    file: SourceFile, line: Int, primary: SourceSpan, highlights: [SourceSpan]
  ) -> String {
    let lineStart = file.lineStarts[line - 1]
    let lineEnd = file.lineBytes(line).endIndex
    // Marker columns (0-based, in characters) of each span, clipped to the line.
    func columns(_ span: SourceSpan) -> Range<Int> {
      let start = max(lineStart, min(span.start, lineEnd))
      let end = max(start, min(span.end, lineEnd))
      let from = Self.characterCount(file.bytes, from: lineStart, to: start)
      let to = from + Self.characterCount(file.bytes, from: start, to: end)
      return from..<max(to, from + 1)
    }
    let primaryColumns = columns(primary)
    let highlightColumns = highlights.map(columns)

    // Window long lines around the primary marker, shifted left when the marker is near the
    // line's end so the window stays full.
    var offset = 0
    var shownWidth = Self.characterCount(
      file.bytes, from: lineStart, to: lineEnd, limit: maxLineWidth + 1)
    var prefix = ""
    var suffix = ""
    if shownWidth > maxLineWidth {
      offset = max(0, primaryColumns.lowerBound - maxLineWidth / 2)
      var from = Self.byteIndex(file.bytes, from: lineStart, to: lineEnd, skipping: offset)
      let rest = Self.characterCount(file.bytes, from: from, to: lineEnd, limit: maxLineWidth + 1)
      if rest < maxLineWidth {
        offset = max(0, offset - (maxLineWidth - rest))
        from = Self.byteIndex(file.bytes, from: lineStart, to: lineEnd, skipping: offset)
      }
      if offset > 0 { prefix = "..." }
      if Self.characterCount(file.bytes, from: from, to: lineEnd, limit: maxLineWidth + 1)
        > maxLineWidth
      {
        suffix = "..."
      }
      shownWidth = maxLineWidth
    }
    let from = Self.byteIndex(file.bytes, from: lineStart, to: lineEnd, skipping: offset)
    let to = Self.byteIndex(file.bytes, from: from, to: lineEnd, skipping: shownWidth)
    // Tabs and control characters would break the alignment or the terminal: one column each.
    var shown = ""
    for scalar in String(decoding: file.bytes[from..<to], as: UTF8.self).unicodeScalars {
      if scalar == "\t" || scalar == "\r" {
        shown.unicodeScalars.append(" ")
      } else if scalar.value < 0x20 || scalar.value == 0x7F {
        shown.unicodeScalars.append("\u{FFFD}")
      } else {
        shown.unicodeScalars.append(scalar)
      }
    }
    var markers = [Character](repeating: " ", count: shownWidth + 1)
    func mark(_ range: Range<Int>, with symbol: Character) {
      // Clip to the window first: a span may cover millions of columns.
      let lower = max(range.lowerBound - offset, 0)
      let upper = min(range.upperBound - offset, markers.count)
      guard lower < upper else { return }
      for column in lower..<upper { markers[column] = symbol }
    }
    for range in highlightColumns { mark(range, with: "~") }
    mark(primaryColumns, with: "~")
    mark(primaryColumns.lowerBound..<primaryColumns.lowerBound + 1, with: "^")
    var markerText = String(markers)
    while markerText.last == " " { markerText.removeLast() }

    let number = String(line)
    let pad = String(repeating: " ", count: number.count)
    let padMarkers = String(repeating: " ", count: prefix.count)
    return "\(pad) |\n\(number) | \(prefix)\(shown)\(suffix)\n"
      + "\(pad) | \(padMarkers)\(markerText)\n"
  }

  /// The 1-based (line, column) of `offset`, as `SourceFile.location` but counting fast.
  private func location(in file: SourceFile, of offset: Int) -> (line: Int, column: Int) {
    let clamped = max(0, min(offset, file.bytes.count))
    let line = file.line(of: clamped)
    let start = file.lineStarts[line - 1]
    return (line, Self.characterCount(file.bytes, from: start, to: clamped) + 1)
  }

  /// Characters (UTF-8 lead bytes) in `bytes[start..<end]`, counting at most to `limit`.
  ///
  /// Eight bytes at a time: a byte `10xxxxxx` continues a character.
  private static func characterCount(
    _ bytes: [UInt8], from start: Int, to end: Int, limit: Int = .max
  ) -> Int {
    bytes.withUnsafeBytes { raw in
      let end = min(end, raw.count)
      var index = max(0, start)
      var count = 0
      while index + 8 <= end, count < limit {
        let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        count += 8 - (word & ~(word << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
        index += 8
      }
      while index < end, count < limit {
        if raw[index] & 0xC0 != 0x80 { count += 1 }
        index += 1
      }
      return min(count, limit)
    }
  }

  /// The byte index in `start..<end` after skipping `count` characters (clamped to `end`).
  private static func byteIndex(_ bytes: [UInt8], from start: Int, to end: Int, skipping count: Int)
    -> Int
  {
    bytes.withUnsafeBytes { raw in
      let end = min(end, raw.count)
      var index = max(0, start)
      var seen = 0
      // Whole words while they cannot contain the wanted character's start.
      while index + 8 <= end {
        let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        let leads = 8 - (word & ~(word << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
        if seen + leads > count { break }
        seen += leads
        index += 8
      }
      while index < end {
        if raw[index] & 0xC0 != 0x80 {
          if seen == count { return index }
          seen += 1
        }
        index += 1
      }
      return end
    }
  }
}
