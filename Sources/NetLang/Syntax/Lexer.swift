// Lexer: the bytes of a SourceFile → tokens (grammar.md section 1). Never throws and never
// backtracks: a bad character becomes an `.invalid` token plus an E0101 diagnostic, and every
// byte is looked at a bounded number of times, so a 10 MB line lexes in linear time.

/// Turns a source file into tokens.
public enum Lexer {
  /// All tokens of `file`, ending with one `.endOfFile`; lexical errors go to `diagnostics`.
  public static func tokenize(_ file: SourceFile, into diagnostics: inout [Diagnostic]) -> [Token] {
    var scanner = TokenScanner(file, errorLimit: SyntaxLimits.maxErrors)
    var tokens: [Token] = []
    while true {
      let token = scanner.next(into: &diagnostics)
      tokens.append(token)
      if token.kind == .endOfFile { return tokens }
    }
  }
}

/// The lexer's state: a cursor over the bytes and the stack of open delimiters.
///
/// The parser pulls tokens from it one at a time, so a huge file never needs a huge token array.
///
/// NOTE: tests run debug builds, where reading `array[i]` retains the array and calling a
/// non-mutating method from a mutating one copies the whole struct. So the scan reads an
/// `UnsafeBufferPointer` owned by `ByteStorage`, and helpers are `mutating` or `static`: this
/// made lexing a 10 MB line about five times faster.
struct TokenScanner {
  let fileID: FileID
  /// Keeps `bytes` alive.
  private let storage: ByteStorage
  private let bytes: UnsafeBufferPointer<UInt8>
  private(set) var position: Int
  /// Open `(`, `[` and `{`, innermost last.
  ///
  /// Line ends are tokens only outside `(` and `[`.
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
    storage = ByteStorage(file.bytes)
    bytes = storage.bytes
    self.errorLimit = errorLimit
    let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    position = file.bytes.starts(with: bom) ? bom.count : 0
  }

  /// The next token; `.endOfFile` forever once the bytes are used up.
  mutating func next(into diagnostics: inout [Diagnostic]) -> Token {
    scan(bytes, into: &diagnostics)
  }

  private mutating func scan(
    _ bytes: UnsafeBufferPointer<UInt8>, into diagnostics: inout [Diagnostic]
  )
    -> Token
  {
    while true {
      skipBlanks(bytes)
      let start = position
      guard start < bytes.count else { return Token(.endOfFile, span(start, start)) }
      let byte = bytes[start]
      let length = Self.lineEndLength(bytes, at: start)
      if length > 0 {
        position += length
        if insideParentheses && !leaveParenthesesBeforeStatement(bytes) { continue }
        return Token(.newline, span(start, start + length), text: "\n")
      }
      if isIdentifierStart(byte) { return identifier(bytes) }
      if isDigit(byte) || (byte == 0x2E && start + 1 < bytes.count && isDigit(bytes[start + 1])) {
        return number(bytes)
      }
      if byte == 0x22 { return string(bytes, into: &diagnostics) }  // "
      let kind = Self.punctuation(byte)
      if kind != .invalid {
        position += 1
        track(kind)
        return Token(kind, span(start, position), text: Self.punctuationText(kind))
      }
      return badCharacters(bytes, into: &diagnostics)
    }
  }

  // MARK: Line ends and blanks

  /// True when the innermost open delimiter is `(` or `[`, where line ends are ignored.
  private var insideParentheses: Bool {
    mutating get {
      guard let last = openers.last else { return false }
      return last != 0x7B  // {
    }
  }

  /// Skips the blanks after an ignored line end.
  ///
  /// If the next line starts a statement or a declaration (a keyword other than `in`, or `IDENT
  /// IDENT on|from` of a task), neither of which can appear inside brackets, a `(` or `[` was left
  /// open: such openers are dropped so the parser sees the line end and reports the unclosed
  /// delimiter where it belongs.
  private mutating func leaveParenthesesBeforeStatement(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool
  {
    while true {
      skipBlanks(bytes)
      let length = Self.lineEndLength(bytes, at: position)
      guard length > 0 else { break }
      position += length
    }
    var index = position
    let first = Self.word(bytes, at: &index)
    if let keyword = Keyword(rawValue: first), keyword != .inKeyword {
      while insideParentheses { pop() }
      return true
    }
    guard !first.isEmpty, Keyword(rawValue: first) == nil else { return false }
    let second = Self.word(bytes, at: &index)
    let third = Self.word(bytes, at: &index)
    guard !second.isEmpty, Keyword(rawValue: second) == nil, third == "on" || third == "from"
    else { return false }
    while insideParentheses { pop() }
    return true
  }

  /// The identifier-like word at `index` after spaces and tabs (at most 7 bytes of it, enough
  /// to tell keywords, `on` and `from` apart); moves `index` past it.
  private static func word(_ bytes: UnsafeBufferPointer<UInt8>, at index: inout Int) -> String {
    while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
    guard index < bytes.count, isIdentifierStart(bytes[index]) else { return "" }
    let start = index
    while index < bytes.count, isIdentifierPart(bytes[index]) { index += 1 }
    return String(decoding: bytes[start..<min(index, start + 7)], as: UTF8.self)
  }

  /// 1 for "\n", 2 for "\r\n", 0 otherwise.
  private static func lineEndLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
    guard index < bytes.count else { return 0 }
    if bytes[index] == 0x0A { return 1 }
    if bytes[index] == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { return 2 }
    return 0
  }

  /// Skips spaces, tabs and `#` comments (up to, not including, the line end).
  private mutating func skipBlanks(_ bytes: UnsafeBufferPointer<UInt8>) {
    while position < bytes.count {
      let byte = bytes[position]
      if byte == 0x20 || byte == 0x09 {  // space, tab
        position += 1
      } else if byte == 0x23 {  // #
        while position < bytes.count, bytes[position] != 0x0A { position += 1 }
        // Leave the "\r" of a "\r\n" for lineEndLength.
        if position < bytes.count, bytes[position - 1] == 0x0D { position -= 1 }
        return
      } else {
        return
      }
    }
  }

  // MARK: Tokens

  /// IDENT `[A-Za-z_][A-Za-z0-9_]*`, or a keyword.
  private mutating func identifier(_ bytes: UnsafeBufferPointer<UInt8>) -> Token {
    let start = position
    while position < bytes.count, isIdentifierPart(bytes[position]) { position += 1 }
    let text = tokenText(bytes, start, position)
    // Keywords are 2 to 6 letters and start with one of "bdfilmor"; test that before
    // comparing strings.
    let first = bytes[start]
    let mayBeKeyword =
      position - start >= 2 && position - start <= 6
      && (first == 0x62 || first == 0x64 || first == 0x66 || first == 0x69 || first == 0x6C
        || first == 0x6D || first == 0x6F || first == 0x72)
    if mayBeKeyword, let keyword = Keyword(rawValue: text) {
      return Token(.keyword(keyword), span(start, position), text: text)
    }
    return Token(.identifier, span(start, position), text: text)
  }

  /// NUMBER: `12`, `0.5`, `.5`, `1e-3`, `2.5E+4`.
  ///
  /// Overflow gives an infinite value, which the parser reports (E0103).
  private mutating func number(_ bytes: UnsafeBufferPointer<UInt8>) -> Token {
    let start = position
    var whole = 0.0
    while position < bytes.count, isDigit(bytes[position]) {
      whole = whole * 10 + Double(bytes[position] &- 0x30)
      position += 1
    }
    var isSimple = position - start <= 15
    if position + 1 < bytes.count, bytes[position] == 0x2E, isDigit(bytes[position + 1]) {  // .
      isSimple = false
      position += 1
      skipDigits(bytes)
    }
    if position + 1 < bytes.count, bytes[position] | 0x20 == 0x65 {  // e or E
      let signed = bytes[position + 1] == 0x2B || bytes[position + 1] == 0x2D  // + -
      let digit = position + (signed ? 2 : 1)
      if digit < bytes.count, isDigit(bytes[digit]) {
        isSimple = false
        position = digit
        skipDigits(bytes)
      }
    }
    let text = tokenText(bytes, start, position)
    // Up to 15 digits a whole number is exact in a double; others go through strtod.
    let value = isSimple ? whole : Double(text) ?? .infinity
    return Token(.number, span(start, position), text: text, number: value)
  }

  private mutating func skipDigits(_ bytes: UnsafeBufferPointer<UInt8>) {
    while position < bytes.count, isDigit(bytes[position]) { position += 1 }
  }

  /// STRING: `"..."` on one line with escapes `\" \\ \n \t`.
  ///
  /// Unterminated strings (E0102) and unknown escapes (E0107) are reported, and the token still
  /// carries what was read.
  private mutating func string(
    _ bytes: UnsafeBufferPointer<UInt8>, into diagnostics: inout [Diagnostic]
  ) -> Token {
    let start = position
    position += 1
    var value: [UInt8] = []
    var chunkStart = position
    while true {
      // Plain characters up to a quote, backslash or line end.
      while position < bytes.count {
        let byte = bytes[position]
        if byte == 0x22 || byte == 0x5C || byte == 0x0A || byte == 0x0D { break }
        position += 1
      }
      value.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[chunkStart..<position]))
      guard position < bytes.count, Self.lineEndLength(bytes, at: position) == 0 else {
        report(.unterminatedString(at: span(start, start + 1)), into: &diagnostics)
        break
      }
      let byte = bytes[position]
      if byte == 0x22 {  // "
        position += 1
        break
      }
      if byte == 0x0D {  // a lone "\r" inside a string is kept
        value.append(byte)
        position += 1
        chunkStart = position
        continue
      }
      let escapeStart = position
      position += 1
      chunkStart = position
      guard position < bytes.count, Self.lineEndLength(bytes, at: position) == 0 else { continue }
      let escaped = bytes[position]
      position += Self.characterLength(bytes, at: position)
      chunkStart = position
      switch escaped {
      case 0x22, 0x5C: value.append(escaped)  // \" \\
      case 0x6E: value.append(0x0A)  // \n
      case 0x74: value.append(0x09)  // \t
      default:
        let escape = UnsafeBufferPointer(rebasing: bytes[escapeStart..<position])
        let text = String(decoding: escape, as: UTF8.self)
        report(.invalidEscape(text, at: span(escapeStart, position)), into: &diagnostics)
        value.append(contentsOf: escape)
      }
    }
    return Token(.string, span(start, position), text: String(decoding: value, as: UTF8.self))
  }

  /// The single-byte punctuation tokens; `.invalid` for any other byte.
  private static func punctuation(_ byte: UInt8) -> TokenKind {
    switch byte {
    case 0x28: .lParen  // (
    case 0x29: .rParen  // )
    case 0x5B: .lBracket  // [
    case 0x5D: .rBracket  // ]
    case 0x7B: .lBrace  // {
    case 0x7D: .rBrace  // }
    case 0x2C: .comma  // ,
    case 0x3A: .colon  // :
    case 0x3D: .equal  // =
    case 0x2E: .dot  // .
    case 0x2B: .plus  // +
    case 0x2D: .minus  // -
    case 0x2A: .star  // *
    case 0x2F: .slash  // /
    default: .invalid
    }
  }

  /// The source text of a punctuation token.
  private static func punctuationText(_ kind: TokenKind) -> String {
    switch kind {
    case .lParen: "("
    case .rParen: ")"
    case .lBracket: "["
    case .rBracket: "]"
    case .lBrace: "{"
    case .rBrace: "}"
    case .comma: ","
    case .colon: ":"
    case .equal: "="
    case .dot: "."
    case .plus: "+"
    case .minus: "-"
    case .star: "*"
    case .slash: "/"
    default: ""
    }
  }

  /// A run of characters that cannot start a token, possibly separated by spaces, becomes one
  /// `.invalid` token and one E0101 naming the first of them.
  private mutating func badCharacters(
    _ bytes: UnsafeBufferPointer<UInt8>, into diagnostics: inout [Diagnostic]
  ) -> Token {
    let start = position
    let first = Self.scalar(bytes, at: start)
    position += Self.characterLength(bytes, at: start)
    var end = position
    while true {
      while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 {
        position += 1
      }
      guard position < bytes.count, Self.isBad(bytes, at: position) else { break }
      position += Self.characterLength(bytes, at: position)
      end = position
    }
    position = end
    report(.unexpectedCharacter(first, at: span(start, end)), into: &diagnostics)
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    return Token(.invalid, span(start, end), text: text)
  }

  /// True when the character at `index` cannot start any token, blank or line end.
  private static func isBad(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
    let byte = bytes[index]
    if isIdentifierPart(byte) || punctuation(byte) != .invalid { return false }
    switch byte {
    case 0x20, 0x09, 0x0A, 0x23, 0x22: return false  // space, tab, line feed, #, "
    case 0x0D: return lineEndLength(bytes, at: index) == 0
    default: return true
    }
  }

  // MARK: Delimiters

  /// Keeps the stack of open delimiters; a closer pops down to its opener if there is one.
  private mutating func track(_ kind: TokenKind) {
    switch kind {
    case .lParen: push(0x28)
    case .lBracket: push(0x5B)
    case .lBrace: push(0x7B)
    case .rParen: if openParens > 0 { popThrough(0x28) }
    case .rBracket: if openBrackets > 0 { popThrough(0x5B) }
    case .rBrace: if openBraces > 0 { popThrough(0x7B) }
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
    case 0x28: openParens += delta
    case 0x5B: openBrackets += delta
    default: openBraces += delta
    }
  }

  // MARK: Bytes and characters

  private mutating func span(_ start: Int, _ end: Int) -> SourceSpan {
    SourceSpan(file: fileID, start: start, end: end)
  }

  /// The number of bytes of the UTF-8 character starting at `index` (the text is valid UTF-8).
  private static func characterLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
    let byte = bytes[index]
    let length = byte < 0xC0 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
    return min(length, bytes.count - index)
  }

  /// The Unicode scalar starting at `index`.
  private static func scalar(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Unicode.Scalar {
    let end = index + characterLength(bytes, at: index)
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
    return text.unicodeScalars.first ?? "\u{FFFD}"
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
