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

    var characters = Array(String(decoding: content, as: UTF8.self))
    for index in characters.indices where characters[index] == "\t" || characters[index] == "\r" {
      characters[index] = " "
    }
    // Window very long lines around the primary marker.
    var offset = 0
    var prefix = ""
    var suffix = ""
    if characters.count > maxLineWidth {
      let half = maxLineWidth / 2
      offset = max(0, min(primaryColumns.lowerBound - half, characters.count - maxLineWidth))
      if offset > 0 { prefix = "..." }
      if offset + maxLineWidth < characters.count { suffix = "..." }
      characters = Array(characters[offset..<min(characters.count, offset + maxLineWidth)])
    }
    var markers = [Character](repeating: " ", count: characters.count + 1)
    func mark(_ range: Range<Int>, with symbol: Character) {
      for column in range {
        let shifted = column - offset
        if shifted >= 0, shifted < markers.count {
          markers[shifted] = symbol
        }
      }
    }
    for range in highlightColumns { mark(range, with: "~") }
    mark(primaryColumns, with: "~")
    mark(primaryColumns.lowerBound..<primaryColumns.lowerBound + 1, with: "^")
    var markerText = String(markers)
    while markerText.last == " " { markerText.removeLast() }

    let number = String(line)
    let pad = String(repeating: " ", count: number.count)
    let padMarkers = String(repeating: " ", count: prefix.count)
    return "\(pad) |\n\(number) | \(prefix)\(String(characters))\(suffix)\n"
      + "\(pad) | \(padMarkers)\(markerText)\n"
  }
}
