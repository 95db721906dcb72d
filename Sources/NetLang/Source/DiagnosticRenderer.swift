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
    let (line, column) = file.location(of: diagnostic.span.start)
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
      if let span = note.span, !note.message.contains(files.describe(span)) {
        text += " (at \(files.describe(span)))"
      }
      out += text + "\n"
    }
    return out
  }

  /// The gutter, the source line and the marker line.
  private func snippet(
    file: SourceFile, line: Int, primary: SourceSpan, highlights: [SourceSpan]
  ) -> String {
    let lineStart = file.lineStarts[line - 1]
    let content = file.lineBytes(line)
    let lineEnd = content.endIndex
    // Marker columns (0-based, in characters) of each span, clipped to the line.
    func columns(_ span: SourceSpan) -> Range<Int> {
      let start = max(lineStart, min(span.start, lineEnd))
      let end = max(start, min(span.end, lineEnd))
      let from = file.characterCount(from: lineStart, to: start)
      let to = file.characterCount(from: lineStart, to: end)
      return from..<max(to, from + 1)
    }
    let primaryColumns = columns(primary)
    let highlightColumns = highlights.map(columns)

    // Window very long lines around the primary marker. Only the shown window is decoded, so
    // a 10 MB line costs a couple of linear byte scans, not a 10 MB array of characters.
    let width = file.characterCount(from: lineStart, to: lineEnd)
    var offset = 0
    var shownWidth = width
    var prefix = ""
    var suffix = ""
    if width > maxLineWidth {
      let half = maxLineWidth / 2
      offset = max(0, min(primaryColumns.lowerBound - half, width - maxLineWidth))
      if offset > 0 { prefix = "..." }
      if offset + maxLineWidth < width { suffix = "..." }
      shownWidth = maxLineWidth
    }
    let from = byteIndex(in: file, from: lineStart, to: lineEnd, skipping: offset)
    let to = byteIndex(in: file, from: from, to: lineEnd, skipping: shownWidth)
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

  /// The byte index in `start..<end` after skipping `count` characters (clamped to `end`).
  private func byteIndex(in file: SourceFile, from start: Int, to end: Int, skipping count: Int)
    -> Int
  {
    var seen = 0
    var index = start
    while index < end {
      if file.bytes[index] & 0xC0 != 0x80 {
        if seen == count { return index }
        seen += 1
      }
      index += 1
    }
    return end
  }
}
