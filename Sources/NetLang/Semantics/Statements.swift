// Statements: unrolling a model or block body. Inputs become input nodes, bindings shadow,
// `for` and `repeat` run their body once per element, `return` gives a block's value.

import NetLangTensor

extension Checker {
  /// Unrolls one model into a `CheckedModel` (kept only if it produced no error).
  mutating func checkModel(_ decl: ModelDecl) {
    let errorsBefore = diagnostics.filter { $0.severity == .error }.count
    context = .model
    builder = ModelBuilder(name: decl.name.name, span: decl.span)
    frame = Frame()
    steps = 0
    callDepth = 0
    aborted = false
    executeBody(decl.body)
    if let finished = frame { releaseLocals(finished) }
    if let model = builder {
      if model.outputNames.isEmpty, !aborted {
        report(SemanticDiagnostics.missingOutput(decl.name))
      }
      let errorsAfter = diagnostics.filter { $0.severity == .error }.count
      if errorsAfter == errorsBefore {
        models[decl.name.name] = model.finished()
        modelOrder.append(decl.name.name)
      }
    }
    context = .constant
    builder = nil
    frame = nil
    aborted = false
  }

  /// Runs statements in order until a `return` or a limit stops them.
  mutating func executeBody(_ body: [Stmt]) {
    for statement in body {
      if aborted || frame?.returnValue != nil { return }
      guard countStep(at: statement.span) else { return }
      execute(statement)
    }
  }

  private mutating func execute(_ statement: Stmt) {
    switch statement {
    case .assign(let name, let value, _):
      frame?.statementName = name.name
      let result = evaluate(value)
      frame?.statementName = nil
      bind(name, result, role: .binding)
    case .output(let name, let value, _):
      frame?.statementName = name.name
      let result = evaluate(value)
      frame?.statementName = nil
      declareOutput(name, result, valueSpan: value.span)
    case .input(let name, let shape, _):
      declareInput(name, shape: shape)
    case .forLoop(let variable, let sequence, let body, _):
      let items = evaluate(sequence)
      guard case .list(let elements) = items else {
        if case .invalid = items { return }
        report(SemanticDiagnostics.notAList(items, at: sequence.span))
        return
      }
      guard elements.count <= Builtins.maximumRange else {
        report(SemanticDiagnostics.loopTooLong(elements.count, at: sequence.span))
        aborted = true
        return
      }
      for element in elements {
        if aborted || !countStep(at: sequence.span) { return }
        bind(variable, element, role: .loopVariable)
        executeBody(body)
      }
    case .repeatLoop(let count, let body, _):
      let value = evaluate(count)
      guard let times = value.integer, times >= 0 else {
        if case .invalid = value { return }
        report(
          SemanticDiagnostics.invalidNumber(
            parameter: "count", callee: "repeat", requirement: "a whole number ≥ 0",
            found: value, at: count.span))
        return
      }
      guard times <= Builtins.maximumRange else {
        report(SemanticDiagnostics.loopTooLong(times, at: count.span))
        aborted = true
        return
      }
      for _ in 0..<times {
        if aborted || !countStep(at: count.span) { return }
        executeBody(body)
      }
    case .returnStmt(let value, _):
      guard frame?.blockName != nil else { return }
      let result = evaluate(value)
      frame?.returnValue = result
    case .error:
      break
    }
  }

  /// Binds a local, shadowing (and releasing) any earlier binding of the name.
  mutating func bind(_ name: Identifier, _ value: Value, role: LocalRole) {
    if let previous = frame?.locals[name.name] {
      usage.release(name: name.name, previous)
    }
    frame?.locals[name.name] = Local(value: value, span: name.span, role: role)
    if case .tensor(let node, _) = value {
      let prefix = frame?.prefix ?? ""
      builder?.bindings.append(
        CheckedBinding(name: prefix + name.name, node: node, span: name.span))
    }
  }

  /// Records which locals of a finished frame were used.
  mutating func releaseLocals(_ finished: Frame) {
    for (name, local) in finished.locals {
      usage.release(name: name, local)
    }
  }

  /// `input name: [dims]`: an input node of that per-example shape.
  private mutating func declareInput(_ name: Identifier, shape: Expr) {
    if let previous = builder?.inputNames[name.name] {
      report(SemanticDiagnostics.duplicateLocal(name, previous: previous))
      return
    }
    builder?.inputNames[name.name] = name.span
    let value = evaluate(shape)
    var dimensions: [Int] = []
    var valid = true
    if case .list(let items) = value {
      for item in items {
        if let dimension = item.integer, dimension >= 1,
          dimension <= ShapeRules.maximumElements
        {
          dimensions.append(dimension)
        } else {
          if case .invalid = item {
          } else {
            report(SemanticDiagnostics.badDimension(item, at: shape.span))
          }
          valid = false
        }
      }
    } else {
      if case .invalid = value {
      } else {
        report(SemanticDiagnostics.notAShape(value, at: shape.span))
      }
      valid = false
    }
    guard valid else {
      bind(name, .invalid, role: .input)
      return
    }
    let node = makeNode(
      .input(name: name.name), inputs: [], shape: Shape(dimensions), span: name.span)
    if case .tensor(let ref, _) = node { builder?.inputs.append(ref) }
    bind(name, node, role: .input)
  }

  /// `output name = expr`: a tensor the model gives out.
  private mutating func declareOutput(_ name: Identifier, _ value: Value, valueSpan: SourceSpan) {
    if let previous = builder?.outputNames[name.name] {
      report(SemanticDiagnostics.duplicateLocal(name, previous: previous))
      return
    }
    builder?.outputNames[name.name] = name.span
    switch value {
    case .tensor(let node, _):
      builder?.outputs.append((name: name.name, node: node))
    case .invalid:
      break
    default:
      report(
        SemanticDiagnostics.wrongKind(
          expected: "a tensor", found: value, parameter: nil, callee: "output", at: valueSpan))
    }
    bind(name, value, role: .output)
  }
}
