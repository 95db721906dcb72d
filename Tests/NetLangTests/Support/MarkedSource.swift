// MarkedSource: source text with location markers (1️⃣, 2️⃣, ...), as swift-syntax's tests
// write them, so a test says where each diagnostic points without counting columns.

import Testing

@testable import NetLang

/// The markers, in the order they are looked for.
private let markerSymbols = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

/// `text` without its markers, and the byte offset in that text where each marker stood.
func removingMarkers(_ text: String) -> (source: String, offsets: [String: Int]) {
  var source = ""
  var offsets: [String: Int] = [:]
  var rest = Substring(text)
  while !rest.isEmpty {
    if let marker = markerSymbols.first(where: { rest.hasPrefix($0) }) {
      offsets[marker] = source.utf8.count
      rest = rest.dropFirst(marker.count)
    } else if let first = rest.first {
      source.append(first)
      rest = rest.dropFirst()
    }
  }
  return (source, offsets)
}

/// The Syntax stage: the diagnostics of parsing `file`.
func syntaxDiagnostics(_ file: SourceFile) -> [Diagnostic] {
  var diagnostics: [Diagnostic] = []
  _ = Parser.parse(file, into: &diagnostics)
  return diagnostics
}

/// Checks that `diagnose` reports exactly `expected`, in order: each a marker where the
/// diagnostic's span starts and its code.
func assertDiagnostics(
  _ markedSource: String, _ expected: [(marker: String, code: DiagnosticCode)],
  diagnose: (SourceFile) -> [Diagnostic] = syntaxDiagnostics,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let (source, offsets) = removingMarkers(markedSource)
  let file = SourceFile(path: "test.net", text: source)
  let diagnostics = diagnose(file)
  func describe(_ offset: Int, _ code: DiagnosticCode) -> String {
    let (line, column) = file.location(of: offset)
    return "E\(code) at \(line):\(column)"
  }
  let actual = diagnostics.map { describe($0.span.start, $0.code) }
  let wanted = expected.map { describe(offsets[$0.marker] ?? -1, $0.code) }
  #expect(
    actual == wanted, "\(diagnostics.map(\.message))", sourceLocation: sourceLocation)
}
