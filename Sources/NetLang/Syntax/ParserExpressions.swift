// ParserExpressions: expressions (grammar.md section 4), from the loosest level (additive) to
// primaries. Each binary level is a loop building one flat chain, so only nesting (brackets,
// calls, unary minus, member access) recurses, and that is capped at `SyntaxLimits.maxDepth`.

extension SyntaxParser {
  /// expr := additive
  mutating func parseExpression() -> Expr {
    parseAdditive()
  }

  /// additive := multiplicative { ( "+" | "-" ) multiplicative }
  mutating func parseAdditive() -> Expr {
    let first = parseMultiplicative()
    var rest: [BinaryTerm] = []
    while let op = Self.additiveOperator(current.kind) {
      let opSpan = current.span
      advance()
      rest.append(BinaryTerm(op: op, opSpan: opSpan, operand: parseMultiplicative()))
    }
    return Self.chain(first, rest)
  }

  /// multiplicative := unary { ( "*" | "/" ) unary }
  mutating func parseMultiplicative() -> Expr {
    let first = parseUnary()
    var rest: [BinaryTerm] = []
    while let op = Self.multiplicativeOperator(current.kind) {
      let opSpan = current.span
      advance()
      rest.append(BinaryTerm(op: op, opSpan: opSpan, operand: parseUnary()))
    }
    return Self.chain(first, rest)
  }

  /// unary := "-" unary | postfix
  mutating func parseUnary() -> Expr {
    guard current.kind == .minus else { return parsePostfix() }
    let minus = current
    guard enterNesting(at: minus) else { return skipTooDeepOperand(from: minus.span) }
    advance()
    let operand = parseUnary()
    depth -= 1
    return Expr(
      .unary(op: .negate, opSpan: minus.span, operand: operand), span(from: minus.span))
  }

  /// postfix := primary { "." IDENT }
  mutating func parsePostfix() -> Expr {
    var expr = parsePrimary()
    var levels = 0
    defer { depth -= levels }
    while current.kind == .dot {
      guard enterNesting(at: current) else { return skipTooDeepOperand(from: expr.span) }
      levels += 1
      advance()
      guard let name = expectIdentifier("a member name after '.'") else {
        return Expr(.error, span(from: expr.span))
      }
      expr = Expr(.member(base: expr, name: name), span(from: expr.span))
    }
    return expr
  }

  /// primary := NUMBER | STRING | IDENT | IDENT "(" [ args ] ")"
  ///          | "[" [ expr { "," expr } [ "," ] ] "]" | "(" expr ")"
  mutating func parsePrimary() -> Expr {
    let token = current
    switch token.kind {
    case .number:
      advance()
      guard token.number.isFinite else {
        report(.numberOutOfRange(token.text, at: token.span))
        return Expr(.error, token.span)
      }
      return Expr(.number(token.number), token.span)
    case .string:
      advance()
      return Expr(.string(token.text), token.span)
    case .identifier:
      advance()
      if current.kind == .lParen { return parseCall(callee: Identifier(token.text, token.span)) }
      return Expr(.name(token.text), token.span)
    case .lBracket:
      return parseList()
    case .lParen:
      return parseParenthesized()
    default:
      errorExpected("an expression")
      return Expr(.error, errorSpan)
    }
  }

  /// `"[" [ expr { "," expr } [ "," ] ] "]"`
  mutating func parseList() -> Expr {
    let opener = current
    guard enterNesting(at: opener) else {
      skipGroup()
      return Expr(.error, span(from: opener.span))
    }
    defer { depth -= 1 }
    advance()
    var elements: [Expr] = []
    while !Self.endsList(current.kind) {
      elements.append(parseExpression())
      if match(.comma) == nil { break }
    }
    expectClosing(.rBracket, "]", opener: opener, alternatives: "',' or ']'")
    return Expr(.list(elements), span(from: opener.span))
  }

  /// `"(" expr ")"`; the expression keeps its kind and its span grows to the parentheses.
  mutating func parseParenthesized() -> Expr {
    let opener = current
    guard enterNesting(at: opener) else {
      skipGroup()
      return Expr(.error, span(from: opener.span))
    }
    defer { depth -= 1 }
    advance()
    let inner = parseExpression()
    expectClosing(.rParen, ")", opener: opener)
    return Expr(inner.kind, span(from: opener.span))
  }

  /// `IDENT "(" [ args ] ")"`, args := arg { "," arg } [ "," ]; `current` is the `(`.
  mutating func parseCall(callee: Identifier) -> Expr {
    let opener = current
    guard enterNesting(at: opener) else {
      skipGroup()
      return Expr(.error, span(from: callee.span))
    }
    defer { depth -= 1 }
    advance()
    var arguments: [Argument] = []
    while !Self.endsList(current.kind) {
      arguments.append(parseArgument())
      if match(.comma) == nil { break }
    }
    expectClosing(.rParen, ")", opener: opener, alternatives: "',' or ')'")
    return Expr(.call(callee: callee, arguments: arguments), span(from: callee.span))
  }

  /// arg := [ IDENT ":" ] expr
  ///
  /// Parsed as an expression first: a bare name followed by `:` was the label.
  mutating func parseArgument() -> Argument {
    let start = current.span
    let first = parseExpression()
    guard case .name(let name) = first.kind, current.kind == .colon else {
      return Argument(label: nil, value: first, span: first.span)
    }
    advance()
    let value = parseExpression()
    return Argument(label: Identifier(name, first.span), value: value, span: span(from: start))
  }

  // MARK: Helpers

  /// After E0105 at a too-deep `-` or `.`: skips the rest of the operand without recursion
  /// (more minus signs, then one primary with its call or bracket group and member names).
  private mutating func skipTooDeepOperand(from start: SourceSpan) -> Expr {
    while current.kind == .minus || current.kind == .dot { advance() }
    switch current.kind {
    case .lParen, .lBracket:
      skipGroup()
    case .identifier:
      advance()
      if current.kind == .lParen { skipGroup() }
    case .number, .string:
      advance()
    default:
      break
    }
    while current.kind == .dot {
      advance()
      if current.kind == .identifier { advance() }
    }
    return Expr(.error, span(from: start))
  }

  /// True for tokens that end an argument or element list: closers, line ends, keywords.
  static func endsList(_ kind: TokenKind) -> Bool {
    switch kind {
    case .rParen, .rBracket, .rBrace, .newline, .endOfFile, .keyword: true
    default: false
    }
  }

  private static func chain(_ first: Expr, _ rest: [BinaryTerm]) -> Expr {
    guard let last = rest.last else { return first }
    return Expr(.binary(first: first, rest: rest), first.span.merged(with: last.operand.span))
  }

  private static func additiveOperator(_ kind: TokenKind) -> BinaryOperator? {
    switch kind {
    case .plus: .add
    case .minus: .subtract
    default: nil
    }
  }

  private static func multiplicativeOperator(_ kind: TokenKind) -> BinaryOperator? {
    switch kind {
    case .star: .multiply
    case .slash: .divide
    default: nil
    }
  }
}
