// ParseHelpers: small functions the syntax tests share: parse text, dump the tree, render the
// diagnostics the way the CLI would.

@testable import NetLang

/// Parses `text` as a file named `test.net`; returns the S-expression dump and the diagnostics.
func parseDump(_ text: String) -> (dump: String, diagnostics: [Diagnostic]) {
  let file = SourceFile(path: "test.net", text: text)
  var diagnostics: [Diagnostic] = []
  let unit = Parser.parse(file, into: &diagnostics)
  return (ASTPrinter.print(unit), diagnostics)
}

/// Parses `bytes` and returns the unit, the diagnostics and the file.
func parseBytes(_ bytes: [UInt8], path: String = "test.net") -> (
  unit: SourceUnit, diagnostics: [Diagnostic], file: SourceFile
) {
  let file = SourceFile(path: path, id: FileID(0), bytes: bytes)
  var diagnostics: [Diagnostic] = []
  let unit = Parser.parse(file, into: &diagnostics)
  return (unit, diagnostics, file)
}

/// The diagnostics of `text` rendered as the CLI prints them.
func renderedDiagnostics(_ text: String, path: String = "test.net") -> String {
  var files = SourceFiles()
  let id = files.add(path: path, bytes: Array(text.utf8))
  var diagnostics: [Diagnostic] = []
  _ = Parser.parse(files[id], into: &diagnostics)
  return DiagnosticRenderer(files: files).render(diagnostics)
}

/// "E0104 1:5" for each diagnostic: code and location, for compact assertions.
func codesAndLocations(_ diagnostics: [Diagnostic], in text: String) -> [String] {
  let file = SourceFile(path: "test.net", text: text)
  return diagnostics.map { diagnostic in
    let (line, column) = file.location(of: diagnostic.span.start)
    return "E\(diagnostic.code) \(line):\(column)"
  }
}
