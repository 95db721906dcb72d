// ParserStatements: model and block bodies (grammar.md section 3): inputs, outputs, bindings,
// loops and return.

extension SyntaxParser {
  /// `"{" body "}"`, where body := { NEWLINE } { stmt NEWLINE { NEWLINE } }.
  /// Returns nil (after reporting) when there is no `{`. The last statement may end at `}`.
  mutating func parseBody() -> [Stmt]? {
    guard current.kind == .lBrace else {
      if current.kind == .newline && peek(1).kind == .lBrace {
        report(
          .expectedToken("'{'", found: Self.describe(current), at: errorSpan)
            .with(.help("put '{' at the end of this line, not on the next one")))
      } else {
        errorExpected("'{'")
      }
      return nil
    }
    let opener = current
    guard enterNesting(at: opener) else {
      skipGroup()
      return nil
    }
    defer { depth -= 1 }
    advance()
    var statements: [Stmt] = []
    while true {
      skipNewlines()
      if match(.rBrace) != nil { break }
      if current.kind == .endOfFile || (atLineStart && startsDeclaration()) {
        expectClosing(.rBrace, "}", opener: opener)
        break
      }
      let before = current.span.start
      statements.append(parseStatement())
      if !panicking && current.kind != .newline && current.kind != .rBrace
        && current.kind != .endOfFile
      {
        errorExpected("end of line after the statement")
      }
      if panicking {
        if current.span.start == before && current.kind != .rBrace { advance() }
        synchronizeStatement()
      }
    }
    return statements
  }

  /// stmt := input_stmt | output_stmt | assign_stmt | for_stmt | repeat_stmt | return_stmt
  mutating func parseStatement() -> Stmt {
    switch current.kind {
    case .keyword(.inputKeyword): return parseInput()
    case .keyword(.outputKeyword): return parseOutput()
    case .keyword(.forKeyword): return parseFor()
    case .keyword(.repeatKeyword): return parseRepeat()
    case .keyword(.returnKeyword): return parseReturn()
    case .identifier: return parseAssign()
    default:
      let start = current.span
      errorExpected("a statement")
      return .error(start)
    }
  }

  /// input_stmt := "input" IDENT ":" expr
  mutating func parseInput() -> Stmt {
    let start = current.span
    advance()
    guard let name = expectIdentifier("an input name after 'input'"),
      expect(.colon, "':' and the shape of input '\(name.name)'") != nil
    else { return .error(span(from: start)) }
    let shape = parseExpression()
    return .input(name: name, shape: shape, span: span(from: start))
  }

  /// output_stmt := "output" IDENT "=" expr
  mutating func parseOutput() -> Stmt {
    let start = current.span
    advance()
    guard let name = expectIdentifier("an output name after 'output'"),
      expect(.equal, "'=' after 'output \(name.name)'") != nil
    else { return .error(span(from: start)) }
    let value = parseExpression()
    return .output(name: name, value: value, span: span(from: start))
  }

  /// assign_stmt := IDENT "=" expr
  mutating func parseAssign() -> Stmt {
    let start = current.span
    let name = Identifier(current.text, current.span)
    advance()
    guard expect(.equal, "'=' after '\(name.name)'") != nil else {
      return .error(span(from: start))
    }
    let value = parseExpression()
    return .assign(name: name, value: value, span: span(from: start))
  }

  /// for_stmt := "for" IDENT "in" expr "{" body "}"
  mutating func parseFor() -> Stmt {
    let start = current.span
    advance()
    guard let variable = expectIdentifier("a loop variable after 'for'"),
      expect(.keyword(.inKeyword), "'in' after 'for \(variable.name)'") != nil
    else { return .error(span(from: start)) }
    let sequence = parseExpression()
    guard let body = parseBody() else { return .error(span(from: start)) }
    return .forLoop(variable: variable, sequence: sequence, body: body, span: span(from: start))
  }

  /// repeat_stmt := "repeat" expr "{" body "}"
  mutating func parseRepeat() -> Stmt {
    let start = current.span
    advance()
    let count = parseExpression()
    guard let body = parseBody() else { return .error(span(from: start)) }
    return .repeatLoop(count: count, body: body, span: span(from: start))
  }

  /// return_stmt := "return" expr
  mutating func parseReturn() -> Stmt {
    let start = current.span
    advance()
    let value = parseExpression()
    return .returnStmt(value: value, span: span(from: start))
  }
}
