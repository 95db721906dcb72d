// MalformedInputTests: the parser and the renderer never crash, hang or overflow the stack.
// Each input must give a clean parse or located diagnostics, and huge inputs stay linear.

import Foundation
import Testing

@testable import NetLang

/// SplitMix64: a tiny seeded generator so the random inputs are the same on every run.
private struct SplitMix64 {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// Parses `bytes`, renders the diagnostics, and checks what every malformed input must give:
/// each diagnostic inside the file and each rendering short.
///
/// Returns the diagnostics.
@discardableResult
private func parseAndRender(
  _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
) -> (unit: SourceUnit, diagnostics: [Diagnostic]) {
  var files = SourceFiles()
  let id = files.add(path: "input.net", bytes: bytes)
  var diagnostics: [Diagnostic] = []
  let unit = Parser.parse(files[id], into: &diagnostics)
  let size = files[id].bytes.count
  #expect(diagnostics.count <= SyntaxLimits.maxErrors + 1, sourceLocation: sourceLocation)
  let renderer = DiagnosticRenderer(files: files)
  for diagnostic in diagnostics {
    #expect(
      diagnostic.span.start >= 0 && diagnostic.span.end <= size, sourceLocation: sourceLocation)
    let text = renderer.render(diagnostic)
    #expect(text.hasPrefix("input.net:"), sourceLocation: sourceLocation)
    #expect(text.count < 1_000, sourceLocation: sourceLocation)
  }
  return (unit, diagnostics)
}

/// Seconds taken by `body`.
private func seconds(_ body: () -> Void) -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

@Suite("Malformed input") struct MalformedInputTests {
  @Test("random bytes never crash the parser or the renderer", arguments: 0..<20)
  func randomBytes(seed: Int) {
    var random = SplitMix64(state: UInt64(seed))
    let bytes = (0..<4_000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    let (_, diagnostics) = parseAndRender(bytes)
    #expect(!diagnostics.isEmpty)
  }

  @Test("random token soup never crashes the parser or the renderer", arguments: 0..<20)
  func randomTokens(seed: Int) {
    let pieces = [
      "(", ")", "[", "]", "{", "}", ",", ":", "=", ".", "+", "-", "*", "/", "x", "on", "7",
      "\"s\"", "\n", "\n", "model", "block", "let", "data", "import", "input", "output", "for",
      "in", "repeat", "return", "train", " ", "#c\n", "1e999", "\u{0}",
    ]
    var random = SplitMix64(state: UInt64(seed) &+ 1_000)
    for _ in 0..<50 {
      let text = (0..<200).map { _ in pieces[random.below(pieces.count)] }.joined(separator: " ")
      parseAndRender(Array(text.utf8))
    }
  }

  @Test("NUL bytes are located E0101 errors")
  func nulBytes() {
    let (_, diagnostics) = parseAndRender(Array("let x = 1\u{0}\u{0}\nlet y = 2\n".utf8))
    #expect(codesAndLocations(diagnostics, in: "let x = 1\u{0}\u{0}\n") == ["E0101 1:10"])
    let (_, onlyNul) = parseAndRender([0, 0, 0])
    #expect(onlyNul.map(\.code) == [.unexpectedCharacter])
  }

  @Test("invalid UTF-8 is located in code and ignored in comments and strings")
  func invalidUTF8() {
    let code: [UInt8] = Array("model M {\n  h = ".utf8) + [0xC0, 0xAF, 0xFF] + Array("\n}\n".utf8)
    let (_, diagnostics) = parseAndRender(code)
    #expect(diagnostics.map(\.message) == ["invalid UTF-8 byte sequence"])
    let quiet: [UInt8] =
      Array("# \u{FF}".utf8) + [0xFF, 0xFE, 0x0A] + Array("let s = \"".utf8) + [
        0xED, 0xA0, 0x80, 0x22,
      ]
    let (unit, none) = parseAndRender(quiet)
    #expect(none.isEmpty)
    #expect(ASTPrinter.print(unit) == "(let s \"\u{FFFD}\u{FFFD}\u{FFFD}\")\n")
  }

  @Test("a byte-order mark and CRLF line ends parse like plain LF text")
  func bomAndCRLF() {
    let source = "model M {\n  input x: [2]\n  output y = f(\n    x,\n  )\n}\n"
    let plain = parseDump(source)
    let crlf = [0xEF, 0xBB, 0xBF] + Array(source.replacingOccurrences(of: "\n", with: "\r\n").utf8)
    let (unit, diagnostics) = parseAndRender(crlf)
    #expect(plain.diagnostics.isEmpty && diagnostics.isEmpty)
    #expect(ASTPrinter.print(unit) == plain.dump)
  }

  @Test(
    "a 10 MB line is parsed and rendered in linear time",
    arguments: ["name", "comment", "string", "garbage", "list", "sum"])
  func tenMegabyteLine(kind: String) {
    func line(_ size: Int) -> String {
      switch kind {
      case "name": "let x = " + String(repeating: "a", count: size) + "\n"
      case "comment": "let x = 1 # " + String(repeating: "é", count: size / 2) + "\n"
      case "string": "let x = \"" + String(repeating: "ab\\n", count: size / 4) + "\n"
      case "garbage": "let x = 1 " + String(repeating: "@ 1 ", count: size / 4) + "\n"
      case "list": "let x = [" + String(repeating: "1,", count: size / 2) + "\n"
      default: "let x = 1" + String(repeating: "+1", count: size / 2) + "\n"
      }
    }
    // Lines dense with tokens cost about 0.5 us per token in a debug build, so they are
    // checked at 4 MB (2 million tokens); a dense 10 MB line takes about 5 s on a quiet machine.
    let size = kind == "list" || kind == "sum" ? 4_000_000 : 10_000_000
    var diagnostics: [Diagnostic] = []
    let small = line(size / 10)
    let large = line(size)
    let smallTime = seconds { _ = parseAndRender(Array(small.utf8)) }
    let largeTime = seconds { diagnostics = parseAndRender(Array(large.utf8)).diagnostics }
    // Linear: ten times the input takes about ten times as long (quadratic would be 100).
    // The absolute bound is loose because the tests share two cores with other work.
    #expect(largeTime < 30 * max(smallTime, 0.05), "\(kind): \(smallTime) s then \(largeTime) s")
    let expected: [String: [DiagnosticCode]] = [
      "name": [], "comment": [], "string": [.unterminatedString], "sum": [],
      "garbage": Array(repeating: .unexpectedCharacter, count: 20) + [.tooManyErrors],
      "list": [.unclosedDelimiter],
    ]
    #expect(diagnostics.map(\.code) == expected[kind])
  }

  @Test(
    "100 000 nested openers give one E0105 at the first too-deep one",
    arguments: ["(", "[", "-", "f("])
  func deepNesting(opener: String) {
    let depth = 100_000
    let closer = opener == "[" ? "]" : opener == "-" ? "" : ")"
    let text =
      "let x = " + String(repeating: opener, count: depth) + "1"
      + String(repeating: closer, count: depth) + "\n"
    let (unit, diagnostics) = parseAndRender(Array(text.utf8))
    #expect(diagnostics.map(\.code) == [.nestingTooDeep])
    let column = 9 + SyntaxLimits.maxDepth * opener.count + (opener == "f(" ? 1 : 0)
    #expect(codesAndLocations(diagnostics, in: text) == ["E0105 1:\(column)"])
    #expect(unit.declarations.count == 1)
  }

  @Test("100 000 unclosed openers, a long member chain and deeply nested loops are E0105")
  func otherDeepInputs() {
    let inputs = [
      "let x = " + String(repeating: "(", count: 100_000) + "\nlet y = 1\n",
      "let x = a" + String(repeating: ".b", count: 100_000) + "\n",
      "model M {\n" + String(repeating: "for i in x {\n", count: 100_000)
        + String(repeating: "}\n", count: 100_000) + "}\n",
      "model M {\n" + String(repeating: "repeat 1 {", count: 100_000),
    ]
    for text in inputs {
      let (_, diagnostics) = parseAndRender(Array(text.utf8))
      #expect(diagnostics.first?.code == .nestingTooDeep)
      #expect(diagnostics.count <= 2)
    }
  }

  @Test("nesting exactly at the limit parses cleanly")
  func nestingAtTheLimit() {
    let limit = SyntaxLimits.maxDepth
    let parens =
      "let x = " + String(repeating: "(", count: limit - 1) + "[1]"
      + String(repeating: ")", count: limit - 1) + "\n"
    let loops =
      "model M {\n" + String(repeating: "for i in x {\n", count: limit - 2)
      + "h = " + String(repeating: "-", count: 1) + "x\n"
      + String(repeating: "}\n", count: limit - 1)
    // The deepest recursion per level: a labelled argument of a call, negated.
    let calls =
      "let x = " + String(repeating: "f(a: -", count: limit / 2) + "1"
      + String(repeating: ")", count: limit / 2) + "\n"
    for text in [parens, loops, calls] {
      let (unit, diagnostics) = parseAndRender(Array(text.utf8))
      #expect(diagnostics.isEmpty)
      #expect(!ASTPrinter.print(unit).isEmpty)
    }
    let oneTooDeep = "let x = " + String(repeating: "(", count: limit + 1) + "1"
      + String(repeating: ")", count: limit + 1) + "\n"
    #expect(parseAndRender(Array(oneTooDeep.utf8)).diagnostics.map(\.code) == [.nestingTooDeep])
  }

  @Test("a sum of a million terms is one flat chain")
  func millionTerms() {
    let terms = 1_000_000
    let text = "let x = 1" + String(repeating: " + 1", count: terms - 1) + "\n"
    var unit = SourceUnit(file: FileID(0), declarations: [])
    unit = parseAndRender(Array(text.utf8)).unit
    guard case .letDecl(let decl) = unit.declarations.first,
      case .binary(_, let rest) = decl.value.kind
    else {
      Issue.record("not a binary chain")
      return
    }
    #expect(rest.count == terms - 1)
  }

  @Test("1e99999 is E0103 at the literal")
  func hugeNumber() {
    let (_, diagnostics) = parseAndRender(Array("let x = 2 * 1e99999\n".utf8))
    #expect(codesAndLocations(diagnostics, in: "let x = 2 * 1e99999") == ["E0103 1:13"])
  }

  @Test("unterminated strings, comments and blocks at the end of the file")
  func unterminated() {
    let cases: [(String, [DiagnosticCode])] = [
      ("import \"a.net", [.unterminatedString]),
      ("let x = \"abc\\", [.unterminatedString]),
      ("let x = 1 # no line end", []),
      ("model M {\n  input x: [1]\n", [.unclosedDelimiter]),
      ("model M {", [.unclosedDelimiter]),
      ("block b(x, ", [.unclosedDelimiter]),
      ("train M on d {\n  epochs = 1", [.unclosedDelimiter]),
      ("let", [.unexpectedToken]),
      ("model M {\n  for i in [1, 2] {\n", [.unclosedDelimiter]),
      (String(repeating: "{", count: 100_000), [.unexpectedToken]),
    ]
    for (text, codes) in cases {
      let (_, diagnostics) = parseAndRender(Array(text.utf8))
      #expect(diagnostics.map(\.code) == codes, "\(text)")
    }
  }

  @Test("an empty file and a file of only comments parse to nothing, cleanly")
  func emptyAndComments() {
    for text in ["", "# a\n# b", "\n\n\n", "\u{FEFF}"] {
      let (unit, diagnostics) = parseAndRender(Array(text.utf8))
      #expect(unit.declarations.isEmpty && diagnostics.isEmpty)
    }
  }
}
