// Calls: a call names a block (inlined here, in a fresh frame) or a built-in (its arguments
// matched and kind-checked against the catalogue, then applied by its family).

import NetLangTensor

extension Checker {
  /// Evaluates `callee(arguments)`.
  mutating func evaluateCall(callee: Identifier, arguments: [Argument], span: SourceSpan) -> Value {
    if let entry = globals[callee.name] {
      if case .block(let decl) = entry.declaration {
        return callBlock(decl, callee: callee, arguments: arguments, span: span)
      }
      if Builtins.all[callee.name] == nil {
        evaluateQuietly(arguments)
        report(SemanticDiagnostics.notCallable(callee, what: entry.kindName))
        return .invalid
      }
    }
    guard let builtin = Builtins.all[callee.name] else {
      evaluateQuietly(arguments)
      let blocks = globals.values.compactMap { entry -> String? in
        if case .block = entry.declaration { return entry.name.name }
        return nil
      }
      report(
        SemanticDiagnostics.unknownName(
          callee.name, at: callee.span,
          suggestion: suggestion(for: callee.name, among: Array(Builtins.all.keys) + blocks)))
      return .invalid
    }
    return callBuiltin(builtin, callee: callee, arguments: arguments, span: span)
  }

  /// Evaluates arguments of a call that failed, so names in them count as used.
  private mutating func evaluateQuietly(_ arguments: [Argument]) {
    for argument in arguments { _ = evaluate(argument.value) }
  }

  /// Checks the built-in may be called here, matches and checks arguments, and applies it.
  private mutating func callBuiltin(
    _ builtin: Builtin, callee: Identifier, arguments: [Argument], span: SourceSpan
  ) -> Value {
    let allowed: Bool
    switch builtin.family {
    case .model: allowed = context == .model
    case .data: allowed = context == .data
    case .constant: allowed = true
    case .loss, .optimizer, .schedule: allowed = false
    }
    guard allowed else {
      evaluateQuietly(arguments)
      report(SemanticDiagnostics.wrongContext(callee, family: builtin.family))
      return .invalid
    }
    guard let args = prepareArguments(builtin, callee: callee, arguments: arguments, span: span)
    else { return .invalid }
    switch builtin.family {
    case .model: return applyModelBuiltin(builtin.name, args)
    case .data: return applyDataBuiltin(builtin.name, args)
    case .constant: return applyRange(args)
    case .loss, .optimizer, .schedule: return .invalid
    }
  }

  /// Matches, evaluates and kind-checks the arguments of a built-in call, filling defaults.
  mutating func prepareArguments(
    _ builtin: Builtin, callee: Identifier, arguments: [Argument], span: SourceSpan
  ) -> Arguments? {
    let names = builtin.parameters.map(\.name)
    let match = matchArguments(
      arguments, parameters: names,
      required: Set(builtin.parameters.filter(\.isRequired).map(\.name)),
      callee: callee, variadic: builtin.variadic != nil, anyLabel: builtin.acceptsAnyLabel)
    var args = Arguments(callee: callee.name, calleeSpan: callee.span, callSpan: span)
    args.labelOrder = match.labelOrder
    var valid = !match.failed
    // In source order: evaluation order decides node order and layer-name suffixes.
    for name in match.labelOrder {
      guard let argument = match.byParameter[name] else { continue }
      let value = evaluate(argument.value)
      args.named[name] = ArgumentValue(value: value, span: argument.value.span)
    }
    for argument in match.extra {
      args.extra.append(ArgumentValue(value: evaluate(argument.value), span: argument.value.span))
    }
    guard valid else { return nil }
    for parameter in builtin.parameters {
      if let given = args.named[parameter.name] {
        valid =
          checkKind(given, parameter.kind, parameter: parameter.name, callee: builtin.name) && valid
        continue
      }
      switch parameter.defaultValue {
      case .value(let value): args.named[parameter.name] = ArgumentValue(value: value, span: span)
      case .sameAs(let other): args.named[parameter.name] = args.named[other]
      case .required, .absent: break
      }
    }
    if let kind = builtin.variadic {
      for (index, argument) in args.extra.enumerated() {
        valid = checkKind(argument, kind, parameter: "#\(index + 1)", callee: builtin.name) && valid
      }
    }
    guard valid else { return nil }
    return args
  }

  /// `range(n)`: `[0, 1, ..., n-1]`.
  private mutating func applyRange(_ args: Arguments) -> Value {
    guard let count = args["n"]?.integer else { return .invalid }
    rangeElements += count
    if count > Builtins.maximumRange || rangeElements > Builtins.maximumRangeElements {
      report(SemanticDiagnostics.loopTooLong(count, at: args.span("n")))
      return .invalid
    }
    return .list((0..<count).map { .number(Double($0)) })
  }

  /// Inlines a block: arguments are evaluated in the caller's frame, defaults among the
  /// top-level constants, and the body runs in a new frame that sees only its parameters,
  /// its own bindings and top-level names.
  private mutating func callBlock(
    _ decl: BlockDecl, callee: Identifier, arguments: [Argument], span: SourceSpan
  ) -> Value {
    guard context == .model, frame != nil else {
      evaluateQuietly(arguments)
      report(SemanticDiagnostics.blockOutsideModel(callee))
      return .invalid
    }
    if callDepth >= Self.maximumCallDepth {
      report(SemanticDiagnostics.callsTooDeep(callee, limit: Self.maximumCallDepth))
      aborted = true
      return .invalid
    }
    guard countStep(at: span) else { return .invalid }
    calledBlocks.insert(decl.name.name)
    var names = decl.parameters.map(\.name.name)
    let takesName = !names.contains("name")
    if takesName { names.append("name") }
    let required = Set(decl.parameters.filter { $0.defaultValue == nil }.map(\.name.name))
    let match = matchArguments(
      arguments, parameters: names, required: required, callee: callee,
      signature: decl.parameters.map(\.name.name))
    var values: [String: Value] = [:]
    for name in match.labelOrder {
      guard let argument = match.byParameter[name] else { continue }
      values[name] = evaluate(argument.value)
    }
    if match.failed || aborted { return .invalid }
    var prefixName: String? = nil
    if takesName, let given = match.byParameter["name"] {
      guard case .string(let text) = values["name"], !text.isEmpty else {
        report(
          SemanticDiagnostics.wrongKind(
            expected: "a non-empty string", found: values["name"] ?? .invalid, parameter: "name",
            callee: callee.name, at: given.value.span))
        return .invalid
      }
      prefixName = text
    }
    var calleeFrame = Frame()
    calleeFrame.blockName = decl.name.name
    let caller = frame
    calleeFrame.prefix =
      (caller?.prefix ?? "") + (prefixName ?? caller?.statementName ?? decl.name.name) + "."
    for parameter in decl.parameters {
      let value: Value
      if let given = values[parameter.name.name] {
        value = given
      } else if let defaultValue = parameter.defaultValue {
        value = evaluateInGlobalScope(defaultValue)
      } else {
        value = .invalid
      }
      calleeFrame.locals[parameter.name.name] = Local(
        value: value, span: parameter.name.span, role: .parameter)
    }
    frame = calleeFrame
    callDepth += 1
    blockCalls.append((name: decl.name.name, span: callee.span))
    // Expression nesting is limited per body; block nesting has its own limit.
    let callerExpressionDepth = expressionDepth
    expressionDepth = 0
    executeBody(decl.body)
    expressionDepth = callerExpressionDepth
    blockCalls.removeLast()
    callDepth -= 1
    let result = frame?.returnValue ?? .invalid
    if let finished = frame { releaseLocals(finished) }
    frame = caller
    return result
  }

  /// Evaluates `expr` among top-level names only (block parameter defaults).
  mutating func evaluateInGlobalScope(_ expr: Expr) -> Value {
    let saved = (context, frame)
    context = .constant
    frame = nil
    let value = evaluate(expr)
    (context, frame) = saved
    return value
  }

  /// Counts one unrolling step; false (after reporting) when the model takes too many.
  mutating func countStep(at span: SourceSpan) -> Bool {
    steps += 1
    if steps > Self.maximumSteps {
      report(SemanticDiagnostics.unrollingTooLong(limit: Self.maximumSteps, at: span))
      aborted = true
      return false
    }
    return true
  }
}
