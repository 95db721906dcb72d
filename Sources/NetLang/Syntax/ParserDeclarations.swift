// ParserDeclarations: the top level of a file (grammar.md section 2): imports, constants, data,
// blocks, models and tasks.

extension SyntaxParser {
  /// file := { NEWLINE } { decl { NEWLINE } } EOF
  mutating func parseFile() -> [Decl] {
    var declarations: [Decl] = []
    while true {
      skipNewlines()
      if current.kind == .endOfFile { break }
      let before = current.span.start
      declarations.append(parseDeclaration())
      if current.kind != .newline && current.kind != .endOfFile {
        errorExpected("end of line after the declaration")
      }
      if panicking || current.span.start == before {
        if current.span.start == before { advance() }
        synchronizeDeclaration()
      }
    }
    return declarations
  }

  /// decl := import_decl | let_decl | data_decl | block_decl | model_decl | task_decl
  mutating func parseDeclaration() -> Decl {
    switch current.kind {
    case .keyword(.importKeyword): return parseImport()
    case .keyword(.letKeyword): return parseLet()
    case .keyword(.dataKeyword): return parseData()
    case .keyword(.blockKeyword): return parseBlock()
    case .keyword(.modelKeyword): return parseModel()
    case .identifier where peek(1).kind == .identifier: return parseTask()
    default:
      let start = current.span
      if current.kind != .invalid {
        report(
          .expectedDeclaration(found: Self.describe(current), hint: topLevelHint(), at: errorSpan))
      }
      panicking = true
      return .error(start)
    }
  }

  /// A help line for a statement written outside a model or block.
  private mutating func topLevelHint() -> String? {
    switch current.kind {
    case .identifier where peek(1).kind == .equal:
      return "write 'let \(current.text) = ...' for a constant, or put it inside a model or block"
    case .keyword(.inputKeyword), .keyword(.outputKeyword), .keyword(.forKeyword),
      .keyword(.repeatKeyword), .keyword(.returnKeyword):
      return "statements go inside a 'model' or 'block' body"
    default:
      return nil
    }
  }

  /// import_decl := "import" STRING
  mutating func parseImport() -> Decl {
    let keyword = current
    advance()
    guard let path = expect(.string, "a file path in quotes after 'import'") else {
      return .error(span(from: keyword.span))
    }
    return .importDecl(
      ImportDecl(path: path.text, pathSpan: path.span, span: span(from: keyword.span)))
  }

  /// let_decl := "let" IDENT "=" expr
  mutating func parseLet() -> Decl {
    guard let (name, value, span) = parseNamedValue(after: "let") else {
      return .error(span(from: current.span))
    }
    return .letDecl(LetDecl(name: name, value: value, span: span))
  }

  /// data_decl := "data" IDENT "=" expr
  mutating func parseData() -> Decl {
    guard let (name, value, span) = parseNamedValue(after: "data") else {
      return .error(span(from: current.span))
    }
    return .dataDecl(DataDecl(name: name, value: value, span: span))
  }

  /// `keyword IDENT "=" expr`, shared by let and data.
  private mutating func parseNamedValue(after keyword: String) -> (Identifier, Expr, SourceSpan)? {
    let start = current.span
    advance()
    guard let name = expectIdentifier("a name after '\(keyword)'") else { return nil }
    guard expect(.equal, "'=' after '\(keyword) \(name.name)'") != nil else { return nil }
    let value = parseExpression()
    return (name, value, span(from: start))
  }

  /// block_decl := "block" IDENT "(" [ param { "," param } [ "," ] ] ")" "{" body "}"
  mutating func parseBlock() -> Decl {
    let start = current.span
    advance()
    guard let name = expectIdentifier("a block name after 'block'") else {
      return .error(span(from: start))
    }
    guard let opener = expect(.lParen, "'(' and the parameters of block '\(name.name)'") else {
      return .error(span(from: start))
    }
    var parameters: [Parameter] = []
    while !Self.endsList(current.kind) {
      guard let parameter = parseParameter() else { break }
      parameters.append(parameter)
      if match(.comma) == nil { break }
    }
    expectClosing(.rParen, ")", opener: opener, alternatives: "',' or ')'")
    if panicking { return .error(span(from: start)) }
    guard let body = parseBody() else { return .error(span(from: start)) }
    return .blockDecl(
      BlockDecl(name: name, parameters: parameters, body: body, span: span(from: start)))
  }

  /// param := IDENT [ "=" expr ]
  mutating func parseParameter() -> Parameter? {
    guard let name = expectIdentifier("a parameter name") else { return nil }
    guard match(.equal) != nil else { return Parameter(name: name, defaultValue: nil) }
    return Parameter(name: name, defaultValue: parseExpression())
  }

  /// model_decl := "model" IDENT "{" body "}"
  mutating func parseModel() -> Decl {
    let start = current.span
    advance()
    guard let name = expectIdentifier("a model name after 'model'") else {
      return .error(span(from: start))
    }
    guard let body = parseBody() else { return .error(span(from: start)) }
    return .modelDecl(ModelDecl(name: name, body: body, span: span(from: start)))
  }

  /// task_decl := IDENT IDENT ( "on" | "from" ) expr "{" { setting } "}"
  mutating func parseTask() -> Decl {
    let start = current.span
    let verb = Identifier(current.text, current.span)
    advance()
    guard let model = expectIdentifier("a model name after '\(verb.name)'") else {
      return .error(span(from: start))
    }
    guard current.kind == .identifier, current.text == "on" || current.text == "from" else {
      errorExpected("'on' or 'from' after '\(verb.name) \(model.name)'")
      return .error(span(from: start))
    }
    let preposition = Identifier(current.text, current.span)
    advance()
    let data = parseExpression()
    guard let opener = current.kind == .lBrace ? current : nil else {
      errorExpected("'{' and the settings of the task")
      return .error(span(from: start))
    }
    guard enterNesting(at: opener) else {
      skipGroup()
      return .error(span(from: start))
    }
    advance()
    let settings = parseSettings(opener: opener)
    depth -= 1
    return .taskDecl(
      TaskDecl(
        verb: verb, model: model, preposition: preposition, data: data, settings: settings,
        span: span(from: start)))
  }

  /// `{ setting } "}"` after the task's `{`; setting := IDENT "=" expr ( NEWLINE | "," )
  private mutating func parseSettings(opener: Token) -> [Setting] {
    var settings: [Setting] = []
    while true {
      skipNewlines()
      if match(.rBrace) != nil { break }
      if current.kind == .endOfFile || (atLineStart && startsDeclaration()) {
        expectClosing(.rBrace, "}", opener: opener)
        break
      }
      let start = current.span
      if let name = expectIdentifier("a setting name"),
        expect(.equal, "'=' after setting '\(name.name)'") != nil
      {
        let value = parseExpression()
        settings.append(Setting(name: name, value: value, span: span(from: start)))
      }
      // Settings on one line are separated by commas: `{ epochs = 20, batch = 100 }`.
      if !panicking, current.kind == .comma {
        advance()
        continue
      }
      if !panicking && current.kind != .newline && current.kind != .rBrace
        && current.kind != .endOfFile
      {
        errorExpected("',' or end of line after the setting")
      }
      if panicking { synchronizeStatement() }
    }
    return settings
  }
}
