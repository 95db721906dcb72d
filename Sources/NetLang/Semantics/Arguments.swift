// Arguments: matching a call's arguments to parameters (positional first, then labelled; each
// parameter at most once; labels checked with suggestions) and checking their kinds against
// the built-in catalogue.

import NetLangTensor

/// One argument's value and where it was written (the call, for defaults).
struct ArgumentValue {
  var value: Value
  var span: SourceSpan
}

/// A call's arguments by parameter name, after matching and defaults.
struct Arguments {
  var callee: String
  var calleeSpan: SourceSpan
  var callSpan: SourceSpan
  var named: [String: ArgumentValue] = [:]
  /// Extra positional arguments of a variadic built-in.
  var extra: [ArgumentValue] = []
  /// Labelled arguments in order (table's fields).
  var labelOrder: [String] = []

  subscript(name: String) -> Value? { named[name]?.value }
  func span(_ name: String) -> SourceSpan { named[name]?.span ?? callSpan }
}

/// The syntactic matching of arguments to parameters, before evaluation.
struct ArgumentMatch {
  var byParameter: [String: Argument] = [:]
  var extra: [Argument] = []
  var labelOrder: [String] = []
  var failed = false
}

extension Checker {
  /// Matches `arguments` to `parameters`, reporting unknown labels, duplicates, surplus and
  /// missing arguments.
  mutating func matchArguments(
    _ arguments: [Argument], parameters: [String], required: Set<String>, callee: Identifier,
    variadic: Bool = false, anyLabel: Bool = false, signature: [String]? = nil
  ) -> ArgumentMatch {
    var match = ArgumentMatch()
    var position = 0
    var sawLabel = false
    for argument in arguments {
      guard let label = argument.label else {
        if sawLabel {
          report(SemanticDiagnostics.positionalAfterLabel(at: argument.span))
          match.failed = true
          continue
        }
        if variadic {
          match.extra.append(argument)
        } else if position < parameters.count {
          match.byParameter[parameters[position]] = argument
          match.labelOrder.append(parameters[position])
          position += 1
        } else {
          report(
            SemanticDiagnostics.tooManyArguments(
              callee.name, limit: parameters.count, at: argument.span))
          match.failed = true
        }
        continue
      }
      sawLabel = true
      if !anyLabel, !parameters.contains(label.name) {
        report(
          SemanticDiagnostics.unknownArgument(
            label, callee: callee.name, suggestion: suggestion(for: label.name, among: parameters)))
        match.failed = true
        continue
      }
      if let previous = match.byParameter[label.name] {
        report(SemanticDiagnostics.duplicateArgument(label, previous: previous.span))
        match.failed = true
        continue
      }
      match.byParameter[label.name] = argument
      match.labelOrder.append(label.name)
    }
    for name in parameters where required.contains(name) && match.byParameter[name] == nil {
      report(
        SemanticDiagnostics.missingArgument(
          name, callee: callee.name, at: callee.span, signature: signature ?? parameters))
      match.failed = true
    }
    return match
  }

  /// Checks a value against a parameter kind; reports and returns false when it does not fit.
  mutating func checkKind(
    _ argument: ArgumentValue, _ kind: ParameterKind, parameter: String, callee: String
  ) -> Bool {
    let value = argument.value
    if case .invalid = value { return false }
    func wrongKind(_ expected: String) -> Bool {
      report(
        SemanticDiagnostics.wrongKind(
          expected: expected, found: value, parameter: parameter, callee: callee,
          at: argument.span))
      return false
    }
    switch kind {
    case .tensor:
      if case .tensor = value { return true }
      return wrongKind("a tensor")
    case .number:
      if case .number = value { return true }
      return wrongKind("a number")
    case .positive, .nonNegative:
      guard case .number(let number) = value else { return wrongKind("a number") }
      let positive = kind == .positive
      if positive ? number > 0 : number >= 0 { return true }
      report(
        SemanticDiagnostics.invalidNumber(
          parameter: parameter, callee: callee, requirement: positive ? "> 0" : "≥ 0",
          found: value, at: argument.span))
      return false
    case .string:
      if case .string = value { return true }
      return wrongKind("a string")
    case .boolean:
      if case .boolean = value { return true }
      return wrongKind("a boolean (true or false)")
    case .dataSet:
      if case .dataSet = value { return true }
      return wrongKind("a data set")
    case .booleanOrDataSet:
      if case .boolean = value { return true }
      if case .dataSet = value { return true }
      return wrongKind("a boolean or a data set")
    case .fieldName:
      return true
    case .whole(let minimum):
      guard case .number(let number) = value else { return wrongKind("a whole number") }
      return checkWhole(
        number, minimum: minimum, argument: argument, parameter: parameter, callee: callee)
    case .fraction(let openUpper):
      guard case .number(let number) = value else { return wrongKind("a number") }
      if number >= 0, openUpper ? number < 1 : number <= 1 { return true }
      let range = openUpper ? "at least 0 and less than 1" : "between 0 and 1"
      report(
        SemanticDiagnostics.invalidNumber(
          parameter: parameter, callee: callee, requirement: range, found: value,
          at: argument.span))
      return false
    case .window(let minimum):
      switch value {
      case .number(let number):
        return checkWhole(
          number, minimum: minimum, argument: argument, parameter: parameter, callee: callee)
      case .list(let items) where items.count == 2:
        var fits = true
        for item in items {
          guard case .number(let number) = item else {
            return wrongKind("a whole number or a list [height, width]")
          }
          fits =
            fits
            && checkWhole(
              number, minimum: minimum, argument: argument, parameter: parameter, callee: callee)
        }
        return fits
      default:
        return wrongKind("a whole number or a list [height, width]")
      }
    case .dimensions:
      guard case .list(let items) = value else { return wrongKind("a list of dimensions") }
      for item in items {
        guard case .number(let number) = item, number == number.rounded(), abs(number) < 1e10
        else { return wrongKind("a list of whole numbers") }
      }
      return true
    case .choice(let options):
      guard case .string(let text) = value else { return wrongKind("a string") }
      if options.contains(text) { return true }
      report(
        SemanticDiagnostics.invalidChoice(
          text, options: options, parameter: parameter, callee: callee, at: argument.span,
          suggestion: suggestion(for: text, among: options)))
      return false
    }
  }

  /// A whole number at least `minimum` and at most 2^31.
  private mutating func checkWhole(
    _ number: Double, minimum: Int, argument: ArgumentValue, parameter: String, callee: String
  ) -> Bool {
    let limit = Double(ShapeRules.maximumElements)
    if number == number.rounded(), number >= Double(max(minimum, -Int(limit))), number <= limit {
      return true
    }
    let requirement =
      minimum == Int.min
      ? "a whole number"
      : number > limit ? "at most \(ShapeRules.maximumElements)" : "a whole number ≥ \(minimum)"
    report(
      SemanticDiagnostics.invalidNumber(
        parameter: parameter, callee: callee, requirement: requirement,
        found: argument.value, at: argument.span))
    return false
  }
}

extension Value {
  /// The whole number of a checked `.number`.
  var integer: Int? {
    guard case .number(let number) = self, number == number.rounded(), abs(number) < 1e15
    else { return nil }
    return Int(number)
  }

  /// A window given as `n` or `[h, w]`.
  var pair: (Int, Int)? {
    if let number = integer { return (number, number) }
    if case .list(let items) = self, items.count == 2, let a = items[0].integer,
      let b = items[1].integer
    {
      return (a, b)
    }
    return nil
  }

  var number: Double? {
    if case .number(let number) = self { return number }
    return nil
  }
}
