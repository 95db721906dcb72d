// Parser: tokens → AST (grammar.md sections 2-4), by recursive descent with one parseX() per
// production (ParserDeclarations, ParserStatements, ParserExpressions). This file holds the
// token cursor, error reporting with a panic-mode flag, and resynchronisation.

/// Parses a source file into a syntax tree.
public enum Parser {
  /// The declarations of `file`; syntax errors go to `diagnostics` and failed parts of the tree
  /// become `.error` nodes.
  ///
  /// Never traps, and recursion is bounded by `SyntaxLimits.maxDepth`.
  public static func parse(_ file: SourceFile, into diagnostics: inout [Diagnostic]) -> SourceUnit {
    var parser = SyntaxParser(file)
    let declarations = parser.parseFile()
    diagnostics.append(contentsOf: parser.diagnostics)
    return SourceUnit(file: file.id, declarations: declarations)
  }
}

/// One parse of one file: a cursor over the lexer's tokens plus error state.
///
/// NOTE: helpers that only read are `static` or `mutating`: in debug builds (which run the
/// tests) a non-mutating call from a mutating method copies the whole parser, retaining every
/// array it holds; avoiding that made parsing a 10 MB line several times faster.
struct SyntaxParser {
  let file: SourceFile
  private var scanner: TokenScanner
  private(set) var diagnostics: [Diagnostic] = []
  /// The token being looked at.
  private(set) var current: Token
  /// Tokens after `current`, read by `peek`.
  private var lookahead: [Token] = []
  /// The end of the last token before `current` that is not a line end: where "expected X"
  /// points when `current` is a line end or the end of the file.
  private(set) var previousEnd = 0
  /// True when `current` is the first token of a line.
  private(set) var atLineStart = true
  /// Set by an error; further errors are dropped until the parser resynchronises (clox).
  var panicking = false
  /// Set by the first error reported at the end of the file.
  private var reportedAtEndOfFile = false
  /// Set once `SyntaxLimits.maxErrors` errors are reported; from then on every token is EOF.
  private var stopped = false
  /// Current nesting of brackets, blocks and expressions (E0105 above `SyntaxLimits.maxDepth`).
  var depth = 0

  init(_ file: SourceFile) {
    self.file = file
    scanner = TokenScanner(file)
    current = Token(.endOfFile, SourceSpan(file: file.id, start: 0, end: 0))
    current = fetch()
  }

  // MARK: Cursor

  private mutating func fetch() -> Token {
    if stopped { return endOfFileToken }
    let token = scanner.next(into: &diagnostics)
    checkErrorLimit(at: token.span)
    return stopped ? endOfFileToken : token
  }

  private var endOfFileToken: Token {
    let end = file.bytes.count
    return Token(.endOfFile, SourceSpan(file: file.id, start: end, end: end))
  }

  /// Moves to the next token.
  mutating func advance() {
    guard current.kind != .endOfFile else { return }
    if current.kind != .newline { previousEnd = current.span.end }
    atLineStart = current.kind == .newline
    current = lookahead.isEmpty ? fetch() : lookahead.removeFirst()
    if stopped { current = endOfFileToken }
  }

  /// The token `distance` places after `current` (1 is the next one).
  mutating func peek(_ distance: Int) -> Token {
    while lookahead.count < distance { lookahead.append(fetch()) }
    return lookahead[distance - 1]
  }

  /// Consumes `current` if it is of `kind`.
  mutating func match(_ kind: TokenKind) -> Token? {
    guard current.kind == kind else { return nil }
    let token = current
    advance()
    return token
  }

  /// Consumes a token of `kind`, or reports "expected `description`" and returns nil.
  mutating func expect(_ kind: TokenKind, _ description: String) -> Token? {
    if let token = match(kind) { return token }
    errorExpected(description)
    return nil
  }

  /// Consumes an identifier, or reports "expected `description`".
  mutating func expectIdentifier(_ description: String) -> Identifier? {
    guard let token = expect(.identifier, description) else { return nil }
    return Identifier(token.text, token.span)
  }

  mutating func skipNewlines() {
    while current.kind == .newline { advance() }
  }

  /// A span from `start` to the end of the last consumed token.
  mutating func span(from start: SourceSpan) -> SourceSpan {
    SourceSpan(file: file.id, start: start.start, end: max(start.end, previousEnd))
  }

  // MARK: Errors

  /// Reports `diagnostic` unless the parser is already panicking, then starts panicking.
  mutating func report(_ diagnostic: Diagnostic) {
    guard !panicking, !stopped else { return }
    // Once the file has ended, every open construct would say so: report the innermost only.
    if current.kind == .endOfFile {
      guard !reportedAtEndOfFile else { return }
      reportedAtEndOfFile = true
    }
    diagnostics.append(diagnostic)
    panicking = true
    checkErrorLimit(at: diagnostic.span)
  }

  private mutating func checkErrorLimit(at span: SourceSpan) {
    guard !stopped, diagnostics.count >= SyntaxLimits.maxErrors else { return }
    diagnostics.append(.tooManyErrors(limit: SyntaxLimits.maxErrors, at: span))
    stopped = true
    lookahead.removeAll()
  }

  /// Reports "expected `what`, found <current>".
  ///
  /// An `.invalid` token was reported by the lexer already, so it only starts panic mode.
  mutating func errorExpected(_ what: String) {
    guard current.kind != .invalid else {
      panicking = true
      return
    }
    report(.expectedToken(what, found: Self.describe(current), at: errorSpan))
  }

  /// Where an error about `current` points: the token, or just after the previous token when
  /// `current` is a line end or the end of the file.
  var errorSpan: SourceSpan {
    mutating get {
      switch current.kind {
      case .newline, .endOfFile: SourceSpan(file: file.id, start: previousEnd, end: previousEnd)
      default: current.span
      }
    }
  }

  /// Consumes the closer of `opener`, or reports E0106 pointing back at the opener (or, when
  /// `alternatives` is given and another element seems to follow, E0104 "expected ',' or ')'").
  mutating func expectClosing(
    _ kind: TokenKind, _ closer: String, opener: Token, alternatives: String? = nil
  ) {
    if match(kind) != nil { return }
    guard current.kind != .invalid else {
      panicking = true
      return
    }
    // A token on a later line than the last one was not meant to continue the list: the
    // closer is missing, and the error points at the end of the previous line.
    let onLaterLine = file.line(of: current.span.start) > file.line(of: previousEnd)
    if let alternatives, Self.startsExpression(current.kind), !onLaterLine {
      errorExpected(alternatives)
      return
    }
    let (line, column) = file.location(of: opener.span.start)
    let point = SourceSpan(file: file.id, start: previousEnd, end: previousEnd)
    report(
      .unclosedDelimiter(
        closer: closer, opener: opener.text, openerLocation: "\(line):\(column)",
        openerSpan: opener.span, found: Self.describe(current),
        at: onLaterLine ? point : errorSpan))
  }

  /// True for tokens that can begin an expression.
  static func startsExpression(_ kind: TokenKind) -> Bool {
    switch kind {
    case .identifier, .number, .string, .lParen, .lBracket, .minus: true
    default: false
    }
  }

  /// How a token is named in "found ..." messages.
  static func describe(_ token: Token) -> String {
    switch token.kind {
    case .identifier: "'\(token.text)'"
    case .number: "number '\(token.text.count > 40 ? token.text.prefix(40) + "..." : token.text)'"
    case .string: "a string"
    case .keyword(let keyword): "keyword '\(keyword.rawValue)'"
    case .newline: "end of line"
    case .endOfFile: "end of file"
    case .invalid: "'\(token.text.prefix(20))'"
    default: "'\(token.text)'"
    }
  }

  // MARK: Nesting

  /// Enters one level of nesting at `token`; false (after reporting E0105) when too deep.
  mutating func enterNesting(at token: Token) -> Bool {
    guard depth < SyntaxLimits.maxDepth else {
      report(.nestingTooDeep(limit: SyntaxLimits.maxDepth, at: token.span))
      return false
    }
    depth += 1
    return true
  }

  /// Skips the balanced group that starts at `current` (an opener), without recursion.
  ///
  /// A `(` or `[` group also ends at a line end, which the lexer only produces once it has given up
  /// on the group.
  mutating func skipGroup() {
    let isBrace = current.kind == .lBrace
    var balance = 0
    repeat {
      switch current.kind {
      case .lParen, .lBracket, .lBrace: balance += 1
      case .rParen, .rBracket, .rBrace: balance -= 1
      case .endOfFile: return
      case .newline where !isBrace: return
      default: break
      }
      advance()
    } while balance > 0
  }

  // MARK: Resynchronisation

  /// True when `current` begins a declaration: a declaration keyword, or `IDENT IDENT on|from`.
  mutating func startsDeclaration() -> Bool {
    switch current.kind {
    case .keyword(.importKeyword), .keyword(.letKeyword), .keyword(.dataKeyword),
      .keyword(.blockKeyword), .keyword(.modelKeyword):
      return true
    case .identifier:
      let second = peek(1)
      let third = peek(2)
      return second.kind == .identifier && third.kind == .identifier
        && (third.text == "on" || third.text == "from")
    default:
      return false
    }
  }

  /// After a broken declaration: skips to the next line that begins a declaration.
  mutating func synchronizeDeclaration() {
    while current.kind != .endOfFile {
      if atLineStart && startsDeclaration() { break }
      advance()
    }
    panicking = false
  }

  /// After a broken statement or setting: skips to the end of its line (over nested braces),
  /// to the `}` that closes the body, or to a declaration at the start of a line.
  mutating func synchronizeStatement() {
    var balance = 0
    loop: while true {
      switch current.kind {
      case .endOfFile: break loop
      case .newline where balance == 0: break loop
      case .rBrace:
        if balance == 0 { break loop }
        balance -= 1
      case .lBrace: balance += 1
      default:
        if atLineStart && startsDeclaration() { break loop }
      }
      advance()
    }
    panicking = false
  }
}
