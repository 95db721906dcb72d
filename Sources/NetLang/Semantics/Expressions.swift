// Expressions: evaluating an expression at check time. Numbers are computed, tensors become
// nodes of the model being built, names are looked up in the frame, then globals, then
// built-in values.

import NetLangTensor

extension Checker {
  /// The value of `expr`, reporting what is wrong with it.
  mutating func evaluate(_ expr: Expr) -> Value {
    if aborted { return .invalid }
    expressionDepth += 1
    defer { expressionDepth -= 1 }
    if expressionDepth > Self.maximumExpressionDepth {
      report(SemanticDiagnostics.evaluationTooDeep(at: expr.span))
      aborted = true
      return .invalid
    }
    switch expr.kind {
    case .number(let value):
      return value.isFinite ? .number(value) : .invalid
    case .string(let text):
      return .string(text)
    case .name(let name):
      return lookup(name, at: expr.span)
    case .list(let items):
      var values: [Value] = []
      for item in items { values.append(evaluate(item)) }
      return .list(values)
    case .call(let callee, let arguments):
      return evaluateCall(callee: callee, arguments: arguments, span: expr.span)
    case .member(let base, let name):
      return member(of: evaluate(base), base: base, name: name)
    case .unary(_, let opSpan, let operand):
      return negate(evaluate(operand), operand: operand, opSpan: opSpan)
    case .binary(let first, let rest):
      var left = evaluate(first)
      var leftExpr = first
      for term in rest {
        let right = evaluate(term.operand)
        left = combine(
          term.op, left, right, opSpan: term.opSpan, leftExpr: leftExpr, rightExpr: term.operand)
        leftExpr = Expr(.error, leftExpr.span.merged(with: term.operand.span))
        if aborted { return .invalid }
      }
      return left
    case .error:
      return .invalid
    }
  }

  /// A name's value: a local, a top-level constant or data set, or `true`/`false`.
  mutating func lookup(_ name: String, at span: SourceSpan) -> Value {
    if var local = frame?.locals[name] {
      local.used = true
      frame?.locals[name] = local
      return local.value
    }
    if let entry = globals[name] {
      switch entry.declaration {
      case .constant, .data:
        return globalValue(name, at: span)
      case .block, .model:
        report(SemanticDiagnostics.notAValue(name, what: entry.kindName, at: span))
        return .invalid
      }
    }
    if let value = Builtins.values[name] { return value }
    if Builtins.all[name] != nil {
      report(SemanticDiagnostics.notAValue(name, what: "built-in", at: span))
      return .invalid
    }
    let candidates = (frame.map { Array($0.locals.keys) } ?? []) + globalNames
    report(
      SemanticDiagnostics.unknownName(
        name, at: span, suggestion: suggestion(for: name, among: candidates)))
    return .invalid
  }

  /// `-x` on a number or a tensor.
  private mutating func negate(_ value: Value, operand: Expr, opSpan: SourceSpan) -> Value {
    switch value {
    case .number(let number):
      return .number(-number)
    case .tensor(let node, let shape):
      let span = opSpan.merged(with: operand.span)
      guard
        case .tensor(let minusOne, _) = makeNode(
          .constant(-1), inputs: [], shape: [], span: opSpan)
      else { return .invalid }
      return makeNode(.multiply, inputs: [minusOne, node], shape: shape, span: span)
    case .invalid:
      return .invalid
    default:
      report(SemanticDiagnostics.badOperand("negate", value, at: operand.span, opSpan: opSpan))
      return .invalid
    }
  }

  /// One step of a binary chain: numbers are computed, tensors broadcast.
  private mutating func combine(
    _ op: BinaryOperator, _ left: Value, _ right: Value, opSpan: SourceSpan, leftExpr: Expr,
    rightExpr: Expr
  ) -> Value {
    switch (left, right) {
    case (.invalid, _), (_, .invalid):
      return .invalid
    case (.number(let a), .number(let b)):
      let result: Double
      switch op {
      case .add: result = a + b
      case .subtract: result = a - b
      case .multiply: result = a * b
      case .divide:
        if b == 0 {
          report(SemanticDiagnostics.divisionByZero(at: opSpan, divisor: rightExpr.span))
          return .invalid
        }
        result = a / b
      }
      guard result.isFinite else {
        report(
          SemanticDiagnostics.arithmeticOverflow(
            at: opSpan, operands: [leftExpr.span, rightExpr.span]))
        return .invalid
      }
      return .number(result)
    case (.tensor, .tensor), (.number, .tensor), (.tensor, .number):
      if op == .divide, case .number(0) = right {
        report(SemanticDiagnostics.divisionByZero(at: opSpan, divisor: rightExpr.span))
        return .invalid
      }
      guard let (a, aShape) = tensorOperand(left, span: leftExpr.span),
        let (b, bShape) = tensorOperand(right, span: rightExpr.span)
      else { return .invalid }
      let shape: Shape
      do {
        shape = try ShapeRules.broadcast(aShape, bShape)
      } catch {
        report(
          SemanticDiagnostics.shapeMismatch(
            op, aShape, bShape, opSpan: opSpan, left: leftExpr, right: rightExpr,
            leftNote: shapeNote(leftExpr, aShape), rightNote: shapeNote(rightExpr, bShape)))
        return .invalid
      }
      let layerOp: LayerOp =
        switch op {
        case .add: .add
        case .subtract: .subtract
        case .multiply: .multiply
        case .divide: .divide
        }
      return makeNode(
        layerOp, inputs: [a, b], shape: shape, span: leftExpr.span.merged(with: rightExpr.span))
    default:
      report(
        SemanticDiagnostics.badOperands(
          op, left, right, opSpan: opSpan, left: leftExpr.span, right: rightExpr.span))
      return .invalid
    }
  }

  /// A tensor, or a number made into a scalar constant node.
  private mutating func tensorOperand(_ value: Value, span: SourceSpan) -> (NodeRef, Shape)? {
    switch value {
    case .tensor(let node, let shape): return (node, shape)
    case .number(let number):
      guard
        case .tensor(let node, let shape) = makeNode(
          .constant(number), inputs: [], shape: [], span: span)
      else { return nil }
      return (node, shape)
    default: return nil
    }
  }

  /// "'skip' has shape [84] (from file:15:5)" when the operand is a bound name.
  private func shapeNote(_ expr: Expr, _ shape: Shape) -> Note? {
    guard case .name(let name) = expr.kind, let local = frame?.locals[name] else { return nil }
    return .note(
      "'\(name)' has shape \(shape) (from \(files.describe(local.span)))", at: local.span)
  }

  /// Appends a node to the model being built; reports when the model grows too large.
  mutating func makeNode(
    _ op: LayerOp, inputs: [NodeRef], shape: Shape, span: SourceSpan, layerName: String? = nil
  ) -> Value {
    guard !aborted, builder != nil else { return .invalid }
    if builder?.isFull ?? false {
      report(SemanticDiagnostics.modelTooLarge(at: span))
      aborted = true
      return .invalid
    }
    do {
      _ = try ShapeRules.validate(shape)
    } catch {
      report(SemanticDiagnostics.shapeFailure(error, at: span))
      return .invalid
    }
    guard
      let node = builder?.add(op, inputs: inputs, shape: shape, span: span, layerName: layerName)
    else { return .invalid }
    return .tensor(node, shape)
  }

  /// The unique layer name for an operation called `opName` in the current statement.
  mutating func layerName(for opName: String, explicit: String?) -> String {
    let base = explicit ?? frame?.statementName ?? opName
    let full = (frame?.prefix ?? "") + base
    return builder?.uniqueLayerName(full) ?? full
  }
}
