// LexerTests: token kinds, spans and values; line ends inside and outside brackets; encodings
// (BOM, CRLF, invalid UTF-8); the lexical errors E0101, E0102 and E0107.

import Testing

@testable import NetLang

/// Tokenizes `text` and returns the tokens with the diagnostics.
private func lex(_ text: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
  lexBytes(Array(text.utf8))
}

private func lexBytes(_ bytes: [UInt8]) -> (tokens: [Token], diagnostics: [Diagnostic]) {
  let file = SourceFile(path: "test.net", id: FileID(0), bytes: bytes)
  var diagnostics: [Diagnostic] = []
  let tokens = Lexer.tokenize(file, into: &diagnostics)
  return (tokens, diagnostics)
}

/// A compact spelling of token kinds: punctuation as written, others by name.
private func kinds(_ tokens: [Token]) -> [String] {
  tokens.map { token in
    switch token.kind {
    case .identifier: "id:\(token.text)"
    case .number: "num:\(token.text)"
    case .string: "str:\(token.text)"
    case .keyword(let keyword): "kw:\(keyword.rawValue)"
    case .newline: "NL"
    case .endOfFile: "EOF"
    case .invalid: "invalid"
    default: token.text
    }
  }
}

@Suite("Lexer") struct LexerTests {
  @Test("every kind of token, with its source text as the span")
  func tokenKindsAndSpans() {
    let source = "let x = f(a, b: 2.5) + [1] - -3 * y.z / 2 # comment\n"
    let (tokens, diagnostics) = lex(source)
    #expect(diagnostics.isEmpty)
    #expect(
      kinds(tokens) == [
        "kw:let", "id:x", "=", "id:f", "(", "id:a", ",", "id:b", ":", "num:2.5", ")", "+", "[",
        "num:1", "]", "-", "-", "num:3", "*", "id:y", ".", "id:z", "/", "num:2", "NL", "EOF",
      ])
    let file = SourceFile(path: "test.net", text: source)
    for token in tokens where token.kind != .newline && token.kind != .endOfFile {
      #expect(file.text(of: token.span) == token.text)
    }
    #expect(tokens[tokens.count - 2].span == SourceSpan(file: FileID(0), start: 51, end: 52))
    #expect(tokens[tokens.count - 1].span == SourceSpan(file: FileID(0), start: 52, end: 52))
  }

  @Test("all keywords are reserved; verbs, 'on' and 'from' are identifiers")
  func keywords() {
    let words = Keyword.allCases.map(\.rawValue) + ["train", "on", "from", "inputs", "_x9"]
    let (tokens, _) = lex(words.joined(separator: " "))
    #expect(
      kinds(tokens) == Keyword.allCases.map { "kw:\($0.rawValue)" } + [
        "id:train", "id:on", "id:from", "id:inputs", "id:_x9", "EOF",
      ])
  }

  @Test("number literals and their values")
  func numbers() {
    let (tokens, diagnostics) = lex("12 0.5 .5 1e-3 2.5E+4 3e 4.x 1e99999")
    #expect(diagnostics.isEmpty)
    #expect(
      kinds(tokens) == [
        "num:12", "num:0.5", "num:.5", "num:1e-3", "num:2.5E+4", "num:3", "id:e", "num:4", ".",
        "id:x", "num:1e99999", "EOF",
      ])
    #expect(tokens.prefix(5).map(\.number) == [12, 0.5, 0.5, 0.001, 25000])
    #expect(tokens[10].number == .infinity)
  }

  @Test("strings decode their escapes; unknown escapes and missing quotes are errors")
  func strings() {
    let (tokens, diagnostics) = lex(#""a\"b\\c\nd\te" "é😀" "\q" "open"#)
    #expect(tokens.map(\.text) == ["a\"b\\c\nd\te", "é😀", "\\q", "open", ""])
    #expect(diagnostics.map(\.code) == [.invalidEscape, .unterminatedString])
    #expect(diagnostics.first?.span == SourceSpan(file: FileID(0), start: 26, end: 28))

    let (unterminated, errors) = lex("let s = \"abc\nlet t = 1")
    #expect(kinds(unterminated).prefix(5) == ["kw:let", "id:s", "=", "str:abc", "NL"])
    #expect(errors.map(\.code) == [.unterminatedString])
    #expect(errors.first?.span == SourceSpan(file: FileID(0), start: 8, end: 9))
  }

  @Test("line ends are tokens, except inside parentheses and brackets")
  func lineEnds() {
    let (tokens, _) = lex("a(\n1,\n[2,\n3]\n)\n{\nb\n}\n")
    #expect(
      kinds(tokens) == [
        "id:a", "(", "num:1", ",", "[", "num:2", ",", "num:3", "]", ")", "NL", "{", "NL", "id:b",
        "NL", "}", "NL", "EOF",
      ])
  }

  @Test("a statement keyword after a line end inside brackets closes them")
  func keywordLeavesParentheses() {
    let (tokens, _) = lex("f(x,\noutput y\ng(\ntrain M on d\nh(\nin\n)")
    #expect(
      kinds(tokens) == [
        "id:f", "(", "id:x", ",", "NL", "kw:output", "id:y", "NL", "id:g", "(", "NL", "id:train",
        "id:M", "id:on", "id:d", "NL", "id:h", "(", "kw:in", ")", "EOF",
      ])
  }

  @Test("CRLF line ends are one token spanning both bytes")
  func crlf() {
    let (tokens, diagnostics) = lex("let a = 1\r\n# c\r\nlet b = 2\r\n")
    #expect(diagnostics.isEmpty)
    #expect(
      kinds(tokens) == [
        "kw:let", "id:a", "=", "num:1", "NL", "NL", "kw:let", "id:b", "=", "num:2", "NL", "EOF",
      ])
    #expect(tokens[4].span.length == 2)
    #expect(tokens[5].span.length == 2)
  }

  @Test("a byte-order mark at the start is dropped, so the first token is at column 1")
  func byteOrderMark() {
    let (tokens, diagnostics) = lexBytes([0xEF, 0xBB, 0xBF] + Array("let".utf8))
    #expect(diagnostics.isEmpty)
    #expect(kinds(tokens) == ["kw:let", "EOF"])
    #expect(tokens[0].span.start == 0)
    let file = SourceFile(path: "a.net", id: FileID(0), bytes: [0xEF, 0xBB, 0xBF] + Array("x".utf8))
    #expect(file.location(of: 0) == (1, 1))
  }

  @Test("bad characters: one E0101 per run, naming the first character")
  func badCharacters() {
    let (tokens, diagnostics) = lex("a @ $ % b ; c\u{0}d \u{7F} é\r")
    #expect(
      kinds(tokens) == [
        "id:a", "invalid", "id:b", "invalid", "id:c", "invalid", "id:d", "invalid", "EOF",
      ])
    #expect(
      diagnostics.map(\.message) == [
        "unexpected character '@'", "unexpected character ';'",
        "unexpected control character U+0000", "unexpected control character U+007F",
      ])
    #expect(tokens[1].text == "@ $ %")
    #expect(tokens[7].text == "\u{7F} é\r")
  }

  @Test("invalid UTF-8 is an error in code, and allowed in comments and strings")
  func invalidUTF8() {
    let code: [UInt8] = Array("let x = ".utf8) + [0xFF, 0xC3] + Array(" 1".utf8)
    let (_, diagnostics) = lexBytes(code)
    #expect(diagnostics.map(\.message) == ["invalid UTF-8 byte sequence"])
    #expect(diagnostics.first?.span.start == 8)
    let quiet: [UInt8] =
      Array("# ".utf8) + [0xFF, 0x00, 0x80] + Array("\nlet s = \"".utf8) + [0xFE, 0x01] + [0x22]
    let (tokens, none) = lexBytes(quiet)
    #expect(none.isEmpty)
    #expect(kinds(tokens) == ["NL", "kw:let", "id:s", "=", "str:\u{FFFD}\u{1}", "EOF"])
  }

  @Test("Lexer.tokenize stops reporting after 20 errors")
  func errorLimit() {
    let (_, diagnostics) = lex(String(repeating: "x @ ", count: 100))
    #expect(diagnostics.count == 21)
    #expect(diagnostics.last?.code == .tooManyErrors)
  }
}
