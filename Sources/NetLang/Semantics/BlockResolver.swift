// BlockResolver: blocks that no model calls are never inlined, so their names and call
// arguments are checked here without evaluation: unknown names (E0201) and argument labels
// and arity of the calls they make.

extension Checker {
  /// Resolves names in every block that unrolling did not reach.
  mutating func resolveUncalledBlocks() {
    for unit in units {
      for declaration in unit.declarations {
        guard case .blockDecl(let decl) = declaration, !calledBlocks.contains(decl.name.name)
        else { continue }
        var scope = Set(decl.parameters.map(\.name.name))
        for parameter in decl.parameters {
          if let value = parameter.defaultValue { resolveNames(in: value, scope: [], depth: 0) }
        }
        resolveNames(in: decl.body, scope: &scope)
      }
    }
  }

  private mutating func resolveNames(in body: [Stmt], scope: inout Set<String>) {
    for statement in body {
      switch statement {
      case .assign(let name, let value, _), .output(let name, let value, _):
        resolveNames(in: value, scope: scope, depth: 0)
        scope.insert(name.name)
      case .input(let name, let shape, _):
        resolveNames(in: shape, scope: scope, depth: 0)
        scope.insert(name.name)
      case .forLoop(let variable, let sequence, let inner, _):
        resolveNames(in: sequence, scope: scope, depth: 0)
        scope.insert(variable.name)
        resolveNames(in: inner, scope: &scope)
      case .repeatLoop(let count, let inner, _):
        resolveNames(in: count, scope: scope, depth: 0)
        resolveNames(in: inner, scope: &scope)
      case .returnStmt(let value, _):
        resolveNames(in: value, scope: scope, depth: 0)
      case .error:
        break
      }
    }
  }

  private mutating func resolveNames(in expr: Expr, scope: Set<String>, depth: Int) {
    guard depth < Self.maximumExpressionDepth else { return }
    switch expr.kind {
    case .name(let name):
      if !scope.contains(name), globals[name] == nil, Builtins.values[name] == nil,
        Builtins.all[name] == nil
      {
        report(
          SemanticDiagnostics.unknownName(
            name, at: expr.span,
            suggestion: suggestion(for: name, among: Array(scope) + globalNames)))
      }
    case .call(let callee, let arguments):
      for argument in arguments {
        resolveNames(in: argument.value, scope: scope, depth: depth + 1)
      }
      checkCallShape(callee, arguments)
    case .list(let items):
      for item in items { resolveNames(in: item, scope: scope, depth: depth + 1) }
    case .member(let base, _):
      resolveNames(in: base, scope: scope, depth: depth + 1)
    case .unary(_, _, let operand):
      resolveNames(in: operand, scope: scope, depth: depth + 1)
    case .binary(let first, let rest):
      resolveNames(in: first, scope: scope, depth: depth + 1)
      for term in rest { resolveNames(in: term.operand, scope: scope, depth: depth + 1) }
    case .number, .string, .error:
      break
    }
  }

  /// The callee exists and the labels and arity of its arguments fit.
  private mutating func checkCallShape(_ callee: Identifier, _ arguments: [Argument]) {
    if let entry = globals[callee.name], case .block(let decl) = entry.declaration {
      var names = decl.parameters.map(\.name.name)
      if !names.contains("name") { names.append("name") }
      let required = Set(decl.parameters.filter { $0.defaultValue == nil }.map(\.name.name))
      _ = matchArguments(
        arguments, parameters: names, required: required, callee: callee,
        signature: decl.parameters.map(\.name.name))
    } else if let builtin = Builtins.all[callee.name] {
      _ = matchArguments(
        arguments, parameters: builtin.parameters.map(\.name),
        required: Set(builtin.parameters.filter(\.isRequired).map(\.name)), callee: callee,
        variadic: builtin.variadic != nil, anyLabel: builtin.acceptsAnyLabel)
    } else if globals[callee.name] == nil {
      let blocks = globals.values.compactMap { entry -> String? in
        if case .block = entry.declaration { return entry.name.name }
        return nil
      }
      report(
        SemanticDiagnostics.unknownName(
          callee.name, at: callee.span,
          suggestion: suggestion(for: callee.name, among: Array(Builtins.all.keys) + blocks)))
    }
  }
}
