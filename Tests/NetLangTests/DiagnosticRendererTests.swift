// DiagnosticRendererTests: the caret layout, character (not byte) columns, notes, and lines
// too long to print: a 10 MB line is windowed around its marker, quickly.

import Foundation
import Testing

@testable import NetLang

/// Renders one error at `start..<end` of `text` (file `a.net`).
private func render(
  _ text: String, start: Int, end: Int, highlights: [Range<Int>] = [], notes: [Note] = []
) -> String {
  var files = SourceFiles()
  let id = files.add(path: "a.net", bytes: Array(text.utf8))
  let span = SourceSpan(file: id, start: start, end: end)
  let marks = highlights.map { SourceSpan(file: id, start: $0.lowerBound, end: $0.upperBound) }
  let diagnostic = Diagnostic.error(
    .unexpectedToken, "message", at: span, highlights: marks, notes: notes)
  return DiagnosticRenderer(files: files).render(diagnostic)
}

@Suite("DiagnosticRenderer") struct DiagnosticRendererTests {
  @Test("header, gutter, caret with tildes, a highlight and notes")
  func layout() {
    let text = "let a = 1\nlet b = foo(x)\n"
    let rendered = render(
      text, start: 18, end: 21, highlights: [22..<23],
      notes: [
        .note("see here", at: SourceSpan(file: FileID(0), start: 4, end: 5)), .help("try this"),
      ])
    #expect(
      rendered == """
        a.net:2:9: error[E0104]: message
          |
        2 | let b = foo(x)
          |         ^~~ ~
           = note: see here (at a.net:1:5)
           = help: try this

        """)
  }

  @Test("columns count characters, tabs and control characters take one column")
  func characterColumns() {
    let rendered = render("é\tß\u{0}x = 1", start: 6, end: 7)
    #expect(
      rendered == """
        a.net:1:5: error[E0104]: message
          |
        1 | é ß\u{FFFD}x = 1
          |     ^

        """)
  }

  @Test("a point at the end of the file, and in an empty file")
  func endOfFile() {
    #expect(
      render("ab", start: 2, end: 2) == "a.net:1:3: error[E0104]: message\n  |\n1 | ab\n  |   ^\n")
    #expect(render("", start: 0, end: 0) == "a.net:1:1: error[E0104]: message\n  |\n1 | \n  | ^\n")
    #expect(
      render("ab\n", start: 3, end: 3) == "a.net:2:1: error[E0104]: message\n  |\n2 | \n  | ^\n")
  }

  @Test("the header column agrees with SourceFile.location on random UTF-8 text")
  func columnsMatchSourceFile() {
    let alphabet: [String] = ["a", "b", " ", "\n", "é", "😀", "中", "\t", "\r\n"]
    var state: UInt64 = 7
    for _ in 0..<20 {
      var text = ""
      for _ in 0..<300 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        text += alphabet[Int(state >> 33) % alphabet.count]
      }
      let file = SourceFile(path: "a.net", text: text)
      for offset in stride(from: 0, through: file.bytes.count, by: 7) {
        let (line, column) = file.location(of: offset)
        let header = render(text, start: offset, end: offset).prefix { $0 != " " }
        #expect(header == "a.net:\(line):\(column):")
      }
    }
  }

  @Test("long lines are windowed around the marker, with ellipses on cut sides")
  func longLineWindow() {
    let line = (0..<50).map { String(repeating: "\($0 % 10)", count: 9) + "é" }.joined()  // 500
    let near = render(line, start: 5, end: 6)
    #expect(near.contains("1 | " + String(line.prefix(120)) + "...\n"))
    #expect(near.hasSuffix("  |      ^\n"))
    let middle = render(line, start: 250, end: 251)
    let lines = middle.split(separator: "\n", omittingEmptySubsequences: false)
    let file = SourceFile(path: "a.net", text: line)
    let column = file.location(of: 250).column - 1
    let shown = Array(lines[2].dropFirst(4 + 3))
    #expect(shown.count == 123)
    let caret = lines[3].firstIndex(of: "^").map {
      lines[3].distance(from: lines[3].startIndex, to: $0)
    }
    #expect(lines[2].hasPrefix("1 | ...") && lines[2].hasSuffix("..."))
    #expect(caret == 4 + 3 + 60)
    #expect(shown.count > 60 && shown[60] == Array(line)[column])
    let end = render(line, start: line.utf8.count - 2, end: line.utf8.count)
    let endLines = end.split(separator: "\n")
    #expect(endLines[2] == "1 | ..." + line.suffix(120))
    #expect(endLines[3].hasSuffix("^") && endLines[3].count == 4 + 3 + 120, "\(end)")
  }

  @Test("a 10 MB line renders short, with the caret under the marked text")
  func tenMegabyteLine() {
    let text =
      String(repeating: "ab", count: 5_000_000) + "XYZ" + String(repeating: "é", count: 1_000)
      + "\n"
    var files = SourceFiles()
    let id = files.add(path: "a.net", bytes: Array(text.utf8))
    let renderer = DiagnosticRenderer(files: files)
    let diagnostic = Diagnostic.error(
      .unexpectedToken, "message", at: SourceSpan(file: id, start: 10_000_000, end: 10_000_003))
    // Rendering scans the line a few times, 8 bytes per step (no timing asserted: speed is
    // measured by benchmarks, not unit tests).
    let rendered = renderer.render(diagnostic)
    let lines = rendered.split(separator: "\n")
    #expect(lines[0] == "a.net:1:10000001: error[E0104]: message")
    #expect(lines[2].count < 140 && lines[2].contains("abXYZéé"))
    let caret = lines[3].firstIndex(of: "^").map {
      lines[3].distance(from: lines[3].startIndex, to: $0)
    }
    let xyz = lines[2].firstIndex(of: "X").map {
      lines[2].distance(from: lines[2].startIndex, to: $0)
    }
    #expect(caret == xyz)
    #expect(lines[3].hasSuffix("^~~"))
  }
}
