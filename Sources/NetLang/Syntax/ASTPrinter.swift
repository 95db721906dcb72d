// ASTPrinter: a stable S-expression dump of a syntax tree, one declaration or statement per
// line, for parser tests. `(a + b - c)` is one flat binary chain; `(- x)` is negation.

/// Prints syntax trees as S-expressions.
public enum ASTPrinter {
  /// The whole file, one top-level declaration per line (bodies indented by two spaces).
  public static func print(_ unit: SourceUnit) -> String {
    var lines: [String] = []
    for declaration in unit.declarations { declarationLines(declaration, into: &lines) }
    return lines.map { $0 + "\n" }.joined()
  }

  /// One expression on one line.
  public static func print(_ expr: Expr) -> String {
    var out = ""
    write(expr, into: &out)
    return out
  }

  private static func declarationLines(_ declaration: Decl, into lines: inout [String]) {
    switch declaration {
    case .importDecl(let decl):
      lines.append("(import \(quoted(decl.path)))")
    case .letDecl(let decl):
      lines.append("(let \(decl.name.name) \(print(decl.value)))")
    case .dataDecl(let decl):
      lines.append("(data \(decl.name.name) \(print(decl.value)))")
    case .blockDecl(let decl):
      let parameters = decl.parameters.map { parameter in
        guard let value = parameter.defaultValue else { return parameter.name.name }
        return "(\(parameter.name.name) = \(print(value)))"
      }
      lines.append("(block \(decl.name.name) (\(parameters.joined(separator: " ")))")
      bodyLines(decl.body, indent: "  ", into: &lines)
      lines[lines.count - 1] += ")"
    case .modelDecl(let decl):
      lines.append("(model \(decl.name.name)")
      bodyLines(decl.body, indent: "  ", into: &lines)
      lines[lines.count - 1] += ")"
    case .taskDecl(let decl):
      lines.append(
        "(task \(decl.verb.name) \(decl.model.name) \(decl.preposition.name) \(print(decl.data))")
      for setting in decl.settings {
        lines.append("  (setting \(setting.name.name) \(print(setting.value)))")
      }
      lines[lines.count - 1] += ")"
    case .error:
      lines.append("<error>")
    }
  }

  private static func bodyLines(_ body: [Stmt], indent: String, into lines: inout [String]) {
    for statement in body {
      switch statement {
      case .assign(let name, let value, _):
        lines.append("\(indent)(= \(name.name) \(print(value)))")
      case .input(let name, let shape, _):
        lines.append("\(indent)(input \(name.name) \(print(shape)))")
      case .output(let name, let value, _):
        lines.append("\(indent)(output \(name.name) \(print(value)))")
      case .forLoop(let variable, let sequence, let body, _):
        lines.append("\(indent)(for \(variable.name) \(print(sequence))")
        bodyLines(body, indent: indent + "  ", into: &lines)
        lines[lines.count - 1] += ")"
      case .repeatLoop(let count, let body, _):
        lines.append("\(indent)(repeat \(print(count))")
        bodyLines(body, indent: indent + "  ", into: &lines)
        lines[lines.count - 1] += ")"
      case .returnStmt(let value, _):
        lines.append("\(indent)(return \(print(value)))")
      case .error:
        lines.append("\(indent)<error>")
      }
    }
  }

  private static func write(_ expr: Expr, into out: inout String) {
    switch expr.kind {
    case .number(let value):
      out += number(value)
    case .string(let value):
      out += quoted(value)
    case .name(let name):
      out += name
    case .list(let elements):
      out += "(list"
      for element in elements {
        out += " "
        write(element, into: &out)
      }
      out += ")"
    case .call(let callee, let arguments):
      out += "(call \(callee.name)"
      for argument in arguments {
        out += " "
        if let label = argument.label { out += "\(label.name):" }
        write(argument.value, into: &out)
      }
      out += ")"
    case .member(let base, let name):
      out += "(. "
      write(base, into: &out)
      out += " \(name.name))"
    case .unary(let op, _, let operand):
      out += "(\(op.rawValue) "
      write(operand, into: &out)
      out += ")"
    case .binary(let first, let rest):
      out += "("
      write(first, into: &out)
      for term in rest {
        out += " \(term.op.rawValue) "
        write(term.operand, into: &out)
      }
      out += ")"
    case .error:
      out += "<error>"
    }
  }

  /// Whole numbers without a fraction (`28`), others as Swift prints them (`0.5`, `1e-05`).
  private static func number(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
  }

  private static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
