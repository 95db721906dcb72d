// Lexer: the bytes of a SourceFile → tokens (grammar.md section 1). Never throws and never
// backtracks: a bad character becomes an `.invalid` token plus an E0101 diagnostic, and every
// byte is looked at a bounded number of times, so a 10 MB line lexes in linear time.

/// Turns a source file into tokens.
public enum Lexer {
  /// All tokens of `file`, ending with one `.endOfFile`; lexical errors go to `diagnostics`.
  public static func tokenize(_ file: SourceFile, into diagnostics: inout [Diagnostic]) -> [Token]
  {
    var scanner = TokenScanner(file, errorLimit: SyntaxLimits.maxErrors)
    var tokens: [Token] = []
    while true {
      let token = scanner.next(into: &diagnostics)
      tokens.append(token)
      if token.kind == .endOfFile { return tokens }
    }
  }
}

/// The lexer's state: a cursor over the bytes and the stack of open delimiters. The parser
/// pulls tokens from it one at a time, so a huge file never needs a huge token array.
struct TokenScanner {
  let fileID: FileID
  let bytes: [UInt8]
  private(set) var position: Int
  /// Open `(`, `[` and `{`, innermost last. Line ends are tokens only outside `(` and `[`.
  private var openers: [UInt8] = []
  /// How many of each opener `openers` holds, so a stray closer never scans the stack.
  private var openParens = 0
  private var openBrackets = 0
  private var openBraces = 0
  /// Lexical errors reported so far, and how many to report before going quiet (nil: all).
  private var errorCount = 0
  private let errorLimit: Int?

  init(_ file: SourceFile, errorLimit: Int? = nil) {
    fileID = file.id
    bytes = file.bytes
    self.errorLimit = errorLimit
    let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    position = bytes.starts(with: bom) ? bom.count : 0
  }

  /// The next token; `.endOfFile` forever once the bytes are used up.
  mutating func next(into diagnostics: inout [Diagnostic]) -> Token {
    while true {
      skipBlanks()
      let start = position
      guard start < bytes.count else { return Token(.endOfFile, span(start, start)) }
      let byte = bytes[start]
      if let length = lineEndLength(at: start) {
        position += length
        if insideParentheses && !leaveParenthesesBeforeStatement() { continue }
        return Token(.newline, span(start, start + length), text: "\n")
      }
      if isIdentifierStart(byte) { return identifier() }
      if isDigit(byte) || (byte == UInt8(ascii: ".") && isDigit(peekByte(1))) { return number() }
      if byte == UInt8(ascii: "\"") { return string(into: &diagnostics) }
      if let kind = punctuation(byte) {
        position += 1
        track(kind)
        return Token(kind, span(start, position), text: String(UnicodeScalar(byte)))
      }
      return badCharacters(into: &diagnostics)
    }
  }

  // MARK: Line ends and blanks

  /// True when the innermost open delimiter is `(` or `[`, where line ends are ignored.
  private var insideParentheses: Bool {
    guard let last = openers.last else { return false }
    return last != UInt8(ascii: "{")
  }

  /// Skips the blanks after an ignored line end. If the next line starts a statement or a
  /// declaration (a keyword other than `in`, or `IDENT IDENT on|from` of a task), neither of
  /// which can appear inside brackets, a `(` or `[` was left open: such openers are dropped so
  /// the parser sees the line end and reports the unclosed delimiter where it belongs.
  private mutating func leaveParenthesesBeforeStatement() -> Bool {
    while true {
      skipBlanks()
      guard let length = lineEndLength(at: position) else { break }
      position += length
    }
    var index = position
    let first = word(at: &index)
    if let keyword = Keyword(rawValue: first), keyword != .inKeyword {
      while insideParentheses { pop() }
      return true
    }
    guard !first.isEmpty, Keyword(rawValue: first) == nil else { return false }
    let second = word(at: &index)
    let third = word(at: &index)
    guard !second.isEmpty, Keyword(rawValue: second) == nil, third == "on" || third == "from"
    else { return false }
    while insideParentheses { pop() }
    return true
  }

  /// The identifier-like word at `index` after spaces and tabs (at most 7 bytes of it, enough
  /// to tell keywords, `on` and `from` apart); moves `index` past it.
  private func word(at index: inout Int) -> String {
    while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
      index += 1
    }
    guard index < bytes.count, isIdentifierStart(bytes[index]) else { return "" }
    let start = index
    while index < bytes.count, isIdentifierPart(bytes[index]) { index += 1 }
    return String(decoding: bytes[start..<min(index, start + 7)], as: UTF8.self)
  }

  /// 1 for "\n", 2 for "\r\n", nil otherwise.
  private func lineEndLength(at index: Int) -> Int? {
    guard index < bytes.count else { return nil }
    if bytes[index] == UInt8(ascii: "\n") { return 1 }
    if bytes[index] == UInt8(ascii: "\r"), index + 1 < bytes.count,
      bytes[index + 1] == UInt8(ascii: "\n")
    {
      return 2
    }
    return nil
  }

  /// Skips spaces, tabs and `#` comments (up to, not including, the line end).
  private mutating func skipBlanks() {
    while position < bytes.count {
      let byte = bytes[position]
      if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
        position += 1
      } else if byte == UInt8(ascii: "#") {
        while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
        // Leave a "\r" of a "\r\n" for lineEndLength.
        if position > 0, position < bytes.count, bytes[position - 1] == UInt8(ascii: "\r") {
          position -= 1
        }
      } else {
        return
      }
    }
  }

  // MARK: Tokens

  /// IDENT `[A-Za-z_][A-Za-z0-9_]*`, or a keyword.
  private mutating func identifier() -> Token {
    let start = position
    while position < bytes.count, isIdentifierPart(bytes[position]) { position += 1 }
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    if position - start <= 6, let keyword = Keyword(rawValue: text) {
      return Token(.keyword(keyword), span(start, position), text: text)
    }
    return Token(.identifier, span(start, position), text: text)
  }

  /// NUMBER: `12`, `0.5`, `.5`, `1e-3`, `2.5E+4`. Overflow gives an infinite value, which the
  /// parser reports (E0103).
  private mutating func number() -> Token {
    let start = position
    skipDigits()
    if peekByte(0) == UInt8(ascii: "."), isDigit(peekByte(1)) {
      position += 1
      skipDigits()
    }
    if peekByte(0) | 0x20 == UInt8(ascii: "e") {
      let sign = peekByte(1) == UInt8(ascii: "+") || peekByte(1) == UInt8(ascii: "-") ? 1 : 0
      if isDigit(peekByte(1 + sign)) {
        position += 1 + sign
        skipDigits()
      }
    }
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    let value = Double(text) ?? .infinity
    return Token(.number, span(start, position), text: text, number: value)
  }

  private mutating func skipDigits() {
    while position < bytes.count, isDigit(bytes[position]) { position += 1 }
  }

  /// STRING: `"..."` on one line with escapes `\" \\ \n \t`. Unterminated strings (E0102) and
  /// unknown escapes (E0107) are reported, and the token still carries what was read.
  private mutating func string(into diagnostics: inout [Diagnostic]) -> Token {
    let start = position
    position += 1
    var value: [UInt8] = []
    var chunkStart = position
    while true {
      guard position < bytes.count, lineEndLength(at: position) == nil else {
        value.append(contentsOf: bytes[chunkStart..<position])
        report(.unterminatedString(at: span(start, start + 1)), into: &diagnostics)
        break
      }
      let byte = bytes[position]
      if byte == UInt8(ascii: "\"") {
        value.append(contentsOf: bytes[chunkStart..<position])
        position += 1
        break
      }
      guard byte == UInt8(ascii: "\\") else {
        position += 1
        continue
      }
      value.append(contentsOf: bytes[chunkStart..<position])
      let escapeStart = position
      position += 1
      guard position < bytes.count, lineEndLength(at: position) == nil else {
        chunkStart = position
        continue
      }
      let escaped = bytes[position]
      let length = characterLength(at: position)
      position += length
      chunkStart = position
      switch escaped {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"): value.append(escaped)
      case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n"))
      case UInt8(ascii: "t"): value.append(UInt8(ascii: "\t"))
      default:
        let text = String(decoding: bytes[escapeStart..<position], as: UTF8.self)
        report(.invalidEscape(text, at: span(escapeStart, position)), into: &diagnostics)
        value.append(contentsOf: bytes[escapeStart..<position])
      }
    }
    return Token(.string, span(start, position), text: String(decoding: value, as: UTF8.self))
  }

  /// The single-byte punctuation tokens.
  private func punctuation(_ byte: UInt8) -> TokenKind? {
    switch byte {
    case UInt8(ascii: "("): .lParen
    case UInt8(ascii: ")"): .rParen
    case UInt8(ascii: "["): .lBracket
    case UInt8(ascii: "]"): .rBracket
    case UInt8(ascii: "{"): .lBrace
    case UInt8(ascii: "}"): .rBrace
    case UInt8(ascii: ","): .comma
    case UInt8(ascii: ":"): .colon
    case UInt8(ascii: "="): .equal
    case UInt8(ascii: "."): .dot
    case UInt8(ascii: "+"): .plus
    case UInt8(ascii: "-"): .minus
    case UInt8(ascii: "*"): .star
    case UInt8(ascii: "/"): .slash
    default: nil
    }
  }

  /// A run of characters that cannot start a token, possibly separated by spaces, becomes one
  /// `.invalid` token and one E0101 naming the first of them.
  private mutating func badCharacters(into diagnostics: inout [Diagnostic]) -> Token {
    let start = position
    let first = scalar(at: start)
    position += characterLength(at: start)
    var end = position
    while true {
      while position < bytes.count,
        bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t")
      {
        position += 1
      }
      guard position < bytes.count, isBad(at: position) else { break }
      position += characterLength(at: position)
      end = position
    }
    position = end
    report(.unexpectedCharacter(first, at: span(start, end)), into: &diagnostics)
    let text = String(decoding: bytes[start..<end], as: UTF8.self)
    return Token(.invalid, span(start, end), text: text)
  }

  /// True when the character at `index` cannot start any token, blank or line end.
  private func isBad(at index: Int) -> Bool {
    let byte = bytes[index]
    if isIdentifierPart(byte) || punctuation(byte) != nil { return false }
    switch byte {
    case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "#"),
      UInt8(ascii: "\""):
      return false
    case UInt8(ascii: "\r"): return lineEndLength(at: index) == nil
    default: return true
    }
  }

  // MARK: Delimiters

  /// Keeps the stack of open delimiters; a closer pops down to its opener if there is one.
  private mutating func track(_ kind: TokenKind) {
    switch kind {
    case .lParen: push(UInt8(ascii: "("))
    case .lBracket: push(UInt8(ascii: "["))
    case .lBrace: push(UInt8(ascii: "{"))
    case .rParen: if openParens > 0 { popThrough(UInt8(ascii: "(")) }
    case .rBracket: if openBrackets > 0 { popThrough(UInt8(ascii: "[")) }
    case .rBrace: if openBraces > 0 { popThrough(UInt8(ascii: "{")) }
    default: break
    }
  }

  private mutating func push(_ opener: UInt8) {
    openers.append(opener)
    adjustCount(opener, by: 1)
  }

  private mutating func pop() {
    guard let opener = openers.popLast() else { return }
    adjustCount(opener, by: -1)
  }

  private mutating func popThrough(_ opener: UInt8) {
    while let last = openers.last {
      pop()
      if last == opener { return }
    }
  }

  private mutating func adjustCount(_ opener: UInt8, by delta: Int) {
    switch opener {
    case UInt8(ascii: "("): openParens += delta
    case UInt8(ascii: "["): openBrackets += delta
    default: openBraces += delta
    }
  }

  // MARK: Bytes and characters

  private func span(_ start: Int, _ end: Int) -> SourceSpan {
    SourceSpan(file: fileID, start: start, end: end)
  }

  /// The byte `offset` bytes ahead of the cursor, or 0 past the end.
  private func peekByte(_ offset: Int) -> UInt8 {
    let index = position + offset
    return index >= 0 && index < bytes.count ? bytes[index] : 0
  }

  /// The number of bytes of the UTF-8 character starting at `index` (the text is valid UTF-8).
  private func characterLength(at index: Int) -> Int {
    let byte = bytes[index]
    let length = byte < 0xC0 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
    return min(length, bytes.count - index)
  }

  /// The Unicode scalar starting at `index`.
  private func scalar(at index: Int) -> Unicode.Scalar {
    let slice = bytes[index..<index + characterLength(at: index)]
    return String(decoding: slice, as: UTF8.self).unicodeScalars.first ?? "\u{FFFD}"
  }

  private mutating func report(_ diagnostic: Diagnostic, into diagnostics: inout [Diagnostic]) {
    errorCount += 1
    if let errorLimit {
      if errorCount > errorLimit + 1 { return }
      if errorCount == errorLimit + 1 {
        diagnostics.append(.tooManyErrors(limit: errorLimit, at: diagnostic.span))
        return
      }
    }
    diagnostics.append(diagnostic)
  }
}

private func isDigit(_ byte: UInt8) -> Bool {
  byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
}

private func isIdentifierStart(_ byte: UInt8) -> Bool {
  let lower = byte | 0x20
  return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
}

private func isIdentifierPart(_ byte: UInt8) -> Bool {
  isIdentifierStart(byte) || isDigit(byte)
}
