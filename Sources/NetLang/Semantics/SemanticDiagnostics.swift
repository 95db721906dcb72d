// SemanticDiagnostics: the codes and message factories of the checker. E02xx names, kinds and
// arguments are here; shapes (E03xx) in ShapeDiagnostics.swift; tasks, data and warnings in
// TaskDiagnostics.swift. Factories are alphabetical within each file.

import NetLangTensor

extension DiagnosticCode {
  public static let unknownName = DiagnosticCode(201, "unknown-name")
  public static let duplicateDeclaration = DiagnosticCode(202, "duplicate-declaration")
  public static let wrongKind = DiagnosticCode(203, "wrong-kind")
  public static let importCycle = DiagnosticCode(204, "import-cycle")
  public static let unreadableImport = DiagnosticCode(205, "unreadable-import")
  public static let unknownArgument = DiagnosticCode(206, "unknown-argument")
  public static let missingArgument = DiagnosticCode(207, "missing-argument")
  public static let callsTooDeep = DiagnosticCode(208, "calls-too-deep")
  public static let unrollsTooLarge = DiagnosticCode(209, "unrolls-too-large")
  public static let tooManyArguments = DiagnosticCode(210, "too-many-arguments")
  public static let duplicateArgument = DiagnosticCode(211, "duplicate-argument")
  public static let invalidNumber = DiagnosticCode(212, "invalid-number")
  public static let invalidArithmetic = DiagnosticCode(213, "invalid-arithmetic")
  public static let misplacedStatement = DiagnosticCode(214, "misplaced-statement")
  public static let wrongContext = DiagnosticCode(215, "wrong-context")
  public static let unknownMember = DiagnosticCode(216, "unknown-member")
  public static let missingOutput = DiagnosticCode(217, "missing-output")
  public static let parameterOrder = DiagnosticCode(218, "parameter-order")
  public static let duplicateLocal = DiagnosticCode(219, "duplicate-local")
  public static let cyclicDefinition = DiagnosticCode(220, "cyclic-definition")
  public static let evaluationTooDeep = DiagnosticCode(221, "evaluation-too-deep")
  public static let positionalAfterLabel = DiagnosticCode(222, "positional-after-label")
  public static let invalidValue = DiagnosticCode(223, "invalid-value")

  public static let shapeMismatch = DiagnosticCode(301, "shape-mismatch")
  public static let wrongRank = DiagnosticCode(302, "wrong-rank")
  public static let windowTooLarge = DiagnosticCode(303, "window-too-large")
  public static let concatMismatch = DiagnosticCode(304, "concat-mismatch")
  public static let reshapeMismatch = DiagnosticCode(305, "reshape-mismatch")
  public static let axisOutOfRange = DiagnosticCode(306, "axis-out-of-range")
  public static let tensorTooLarge = DiagnosticCode(307, "tensor-too-large")
  public static let mirrorPath = DiagnosticCode(308, "mirror-path")

  public static let unknownTask = DiagnosticCode(401, "unknown-task")
  public static let unknownSetting = DiagnosticCode(402, "unknown-setting")
  public static let missingSetting = DiagnosticCode(403, "missing-setting")
  public static let inputFieldMismatch = DiagnosticCode(404, "input-field-mismatch")
  public static let lossOutput = DiagnosticCode(405, "loss-output")
  public static let lossTarget = DiagnosticCode(406, "loss-target")
  public static let duplicateSetting = DiagnosticCode(407, "duplicate-setting")
  public static let invalidSetting = DiagnosticCode(408, "invalid-setting")
  public static let notAModel = DiagnosticCode(409, "not-a-model")
  public static let noLoss = DiagnosticCode(410, "no-loss")
  public static let sampleRequirement = DiagnosticCode(411, "sample-requirement")
  public static let wrongPreposition = DiagnosticCode(412, "wrong-preposition")

  public static let unreadableData = DiagnosticCode(501, "unreadable-data")

  public static let unusedBinding = DiagnosticCode(201, "unused-binding")
  public static let unusedInput = DiagnosticCode(202, "unused-input")
  public static let unusedParameter = DiagnosticCode(203, "unused-parameter")
  public static let unusedLoopVariable = DiagnosticCode(204, "unused-loop-variable")

  /// Every code the Semantics stage reports (warnings share numbers with errors; their
  /// severity tells them apart: W0201 is not E0201).
  public static let semanticCodes: [DiagnosticCode] = [
    .unknownName, .duplicateDeclaration, .wrongKind, .importCycle, .unreadableImport,
    .unknownArgument, .missingArgument, .callsTooDeep, .unrollsTooLarge, .tooManyArguments,
    .duplicateArgument, .invalidNumber, .invalidArithmetic, .misplacedStatement, .wrongContext,
    .unknownMember, .missingOutput, .parameterOrder, .duplicateLocal, .cyclicDefinition,
    .evaluationTooDeep, .positionalAfterLabel, .invalidValue,
    .shapeMismatch, .wrongRank, .windowTooLarge, .concatMismatch, .reshapeMismatch,
    .axisOutOfRange, .tensorTooLarge, .mirrorPath,
    .unknownTask, .unknownSetting, .missingSetting, .inputFieldMismatch, .lossOutput,
    .lossTarget, .duplicateSetting, .invalidSetting, .notAModel, .noLoss, .sampleRequirement,
    .wrongPreposition, .unreadableData,
    .unusedBinding, .unusedInput, .unusedParameter, .unusedLoopVariable,
  ]
}

/// Message factories of the Semantics stage.
enum SemanticDiagnostics {
  static func arithmeticOverflow(at span: SourceSpan, operands: [SourceSpan]) -> Diagnostic {
    .error(.invalidArithmetic, "arithmetic overflows", at: span, highlights: operands)
  }

  static func badDimension(_ value: Value, at span: SourceSpan) -> Diagnostic {
    .error(
      .invalidNumber, "an input dimension must be a whole number ≥ 1, found \(value.described)",
      at: span)
  }

  static func badOperand(
    _ operation: String, _ value: Value, at span: SourceSpan, opSpan: SourceSpan
  ) -> Diagnostic {
    .error(
      .wrongKind, "cannot \(operation) \(value.described): expected a number or a tensor",
      at: opSpan, highlights: [span])
  }

  static func badOperands(
    _ op: BinaryOperator, _ left: Value, _ right: Value, opSpan: SourceSpan,
    left leftSpan: SourceSpan,
    right rightSpan: SourceSpan
  ) -> Diagnostic {
    .error(
      .wrongKind,
      "cannot \(verb(op)) \(left.described) and \(right.described): "
        + "arithmetic needs numbers or tensors",
      at: opSpan, highlights: [leftSpan, rightSpan])
  }

  static func blockOutsideModel(_ callee: Identifier) -> Diagnostic {
    .error(
      .wrongContext, "block '\(callee.name)' can only be called in a model or block body",
      at: callee.span)
  }

  static func builtinRedefined(_ name: Identifier) -> Diagnostic {
    .error(
      .duplicateDeclaration, "'\(name.name)' is the name of a built-in", at: name.span,
      notes: [.help("choose another name")])
  }

  static func callsTooDeep(_ callee: Identifier, limit: Int) -> Diagnostic {
    .error(
      .callsTooDeep,
      "block calls are nested more than \(limit) deep at '\(callee.name)'",
      at: callee.span, notes: [.note("a block that calls itself never ends")])
  }

  static func cyclicDefinition(_ name: String, at span: SourceSpan) -> Diagnostic {
    .error(.cyclicDefinition, "'\(name)' is defined in terms of itself", at: span)
  }

  static func divisionByZero(at span: SourceSpan, divisor: SourceSpan) -> Diagnostic {
    .error(.invalidArithmetic, "division by zero", at: span, highlights: [divisor])
  }

  static func duplicateArgument(_ label: Identifier, previous: SourceSpan) -> Diagnostic {
    .error(
      .duplicateArgument, "argument '\(label.name)' is given twice", at: label.span,
      notes: [.note("first given here", at: previous)])
  }

  static func duplicateDeclaration(_ name: Identifier, previous: Identifier) -> Diagnostic {
    .error(
      .duplicateDeclaration, "'\(name.name)' is declared twice", at: name.span,
      notes: [.note("first declared here", at: previous.span)])
  }

  static func duplicateLocal(_ name: Identifier, previous: SourceSpan) -> Diagnostic {
    .error(
      .duplicateLocal, "'\(name.name)' is declared twice", at: name.span,
      notes: [.note("first declared here", at: previous)])
  }

  static func evaluationTooDeep(at span: SourceSpan) -> Diagnostic {
    .error(.evaluationTooDeep, "expression is nested too deeply to check", at: span)
  }

  static func invalidChoice(
    _ text: String, options: [String], parameter: String, callee: String, at span: SourceSpan,
    suggestion: String?
  ) -> Diagnostic {
    let list = options.map { "\"\($0)\"" }.joined(separator: ", ")
    return .error(
      .invalidValue, "'\(parameter)' of '\(callee)' must be one of \(list), found \"\(text)\"",
      at: span
    ).with(suggestion.map { .help("did you mean \"\($0)\"?") })
  }

  static func invalidNumber(
    parameter: String, callee: String, requirement: String, found: Value, at span: SourceSpan
  ) -> Diagnostic {
    .error(
      .invalidNumber,
      "\(argumentName(parameter, callee)) must be \(requirement), found \(found.display)",
      at: span)
  }

  static func loopTooLong(_ count: Int, at span: SourceSpan) -> Diagnostic {
    .error(
      .unrollsTooLarge,
      "a loop of \(count) iterations is more than the limit of \(Builtins.maximumRange)",
      at: span)
  }

  static func memberNotAvailable(_ name: Identifier, data: String) -> Diagnostic {
    .error(.unknownMember, "data set '\(data)' has no '\(name.name)'", at: name.span)
      .with(name.name == "heldout" ? .note("only text(...) data sets have a held-out part") : nil)
  }

  static func memberOfNonData(_ name: Identifier, found: Value, base: SourceSpan) -> Diagnostic {
    .error(
      .wrongKind, "'.\(name.name)' needs a data set, found \(found.described)", at: name.span,
      highlights: [base])
  }

  static func misplacedStatement(_ keyword: String, at span: SourceSpan) -> Diagnostic {
    let place = keyword == "return" ? "a block" : "a model"
    return .error(.misplacedStatement, "'\(keyword)' can only be used in \(place)", at: span)
  }

  static func missingArgument(
    _ name: String, callee: String, at span: SourceSpan, signature: [String]
  ) -> Diagnostic {
    .error(
      .missingArgument, "missing argument '\(name)' of '\(callee)'", at: span,
      notes: [.note("'\(callee)' takes (\(signature.joined(separator: ", ")))")])
  }

  static func missingOutput(_ name: Identifier) -> Diagnostic {
    .error(
      .missingOutput, "model '\(name.name)' has no output", at: name.span,
      notes: [.help("mark its result with 'output name = ...'")])
  }

  static func missingReturn(_ name: Identifier) -> Diagnostic {
    .error(
      .misplacedStatement, "block '\(name.name)' does not end with 'return'", at: name.span)
  }

  static func modelTooLarge(at span: SourceSpan) -> Diagnostic {
    .error(
      .unrollsTooLarge,
      "the model has more than \(ModelBuilder.maximumNodes) tensor operations after unrolling",
      at: span)
  }

  static func nestedDataSource(_ callee: String, at span: SourceSpan) -> Diagnostic {
    .error(
      .wrongContext, "'\(callee)' must be the whole right side of a 'data' declaration",
      at: span, notes: [.help("declare it on its own: data name = \(callee)(...)")])
  }

  static func notAList(_ value: Value, at span: SourceSpan) -> Diagnostic {
    .error(.wrongKind, "'for' needs a list, found \(value.described)", at: span)
      .with(.help("use range(n) for 0, 1, ..., n-1"))
  }

  static func notAShape(_ value: Value, at span: SourceSpan) -> Diagnostic {
    .error(
      .wrongKind, "an input shape must be a list of dimensions, found \(value.described)",
      at: span, notes: [.help("write it like [1, 28, 28]")])
  }

  static func notAValue(_ name: String, what: String, at span: SourceSpan) -> Diagnostic {
    let help = what == "model" ? nil : Note.help("call it: \(name)(...)")
    return .error(.wrongKind, "'\(name)' is a \(what), not a value", at: span).with(help)
  }

  static func notCallable(_ callee: Identifier, what: String) -> Diagnostic {
    .error(
      .wrongKind, "'\(callee.name)' is a \(what), not a built-in or block", at: callee.span)
  }

  static func parameterOrder(_ name: Identifier, block: String) -> Diagnostic {
    .error(
      .parameterOrder,
      "parameter '\(name.name)' of '\(block)' has no default but follows one that has",
      at: name.span, notes: [.help("put parameters with defaults last")])
  }

  static func positionalAfterLabel(at span: SourceSpan) -> Diagnostic {
    .error(
      .positionalAfterLabel, "a positional argument cannot follow a labelled one", at: span)
  }

  static func returnNotLast(at span: SourceSpan) -> Diagnostic {
    .error(
      .misplacedStatement, "'return' must be the last statement of a block body", at: span)
  }

  static func tooManyArguments(_ callee: String, limit: Int, at span: SourceSpan) -> Diagnostic {
    .error(
      .tooManyArguments,
      "too many arguments to '\(callee)': it takes \(limit) positional argument\(limit == 1 ? "" : "s")",
      at: span)
  }

  static func unknownArgument(
    _ label: Identifier, callee: String, suggestion: String?
  ) -> Diagnostic {
    .error(.unknownArgument, "'\(callee)' has no argument '\(label.name)'", at: label.span)
      .with(suggestion.map { .help("did you mean '\($0)'?") })
  }

  static func unknownMember(_ name: Identifier, suggestion: String?) -> Diagnostic {
    .error(.unknownMember, "data sets have no member '\(name.name)'", at: name.span)
      .with(suggestion.map { .help("did you mean '\($0)'?") })
  }

  static func unknownName(_ name: String, at span: SourceSpan, suggestion: String?) -> Diagnostic {
    .error(.unknownName, "unknown name '\(name)'", at: span)
      .with(suggestion.map { .help("did you mean '\($0)'?") })
  }

  static func unrollingTooLong(limit: Int, at span: SourceSpan) -> Diagnostic {
    .error(
      .unrollsTooLarge, "unrolling the model takes more than \(limit) steps", at: span)
  }

  static func wrongContext(_ callee: Identifier, family: BuiltinFamily) -> Diagnostic {
    let place: String
    switch family {
    case .model: place = "can only be used in a model or block body"
    case .data: place = "makes a data set: use it as 'data name = \(callee.name)(...)'"
    case .loss: place = "can only be used as a task's 'loss'"
    case .optimizer: place = "can only be used as a train task's 'optimizer'"
    case .schedule: place = "can only be used as a train task's 'schedule'"
    case .constant: place = "cannot be used here"
    }
    return .error(.wrongContext, "'\(callee.name)' \(place)", at: callee.span)
  }

  static func wrongKind(
    expected: String, found: Value, parameter: String?, callee: String, at span: SourceSpan
  ) -> Diagnostic {
    let subject = parameter.map { argumentName($0, callee) } ?? "'\(callee)'"
    let verb = parameter == nil ? "needs" : "must be"
    return .error(.wrongKind, "\(subject) \(verb) \(expected), found \(found.described)", at: span)
  }

  /// "argument 'units' of 'dense'", "argument 1 of 'concat'".
  static func argumentName(_ parameter: String, _ callee: String) -> String {
    if parameter.hasPrefix("#") { return "argument \(parameter.dropFirst()) of '\(callee)'" }
    return "'\(parameter)' of '\(callee)'"
  }

  /// The verb of an operator for messages ("add", "subtract", ...).
  static func verb(_ op: BinaryOperator) -> String {
    switch op {
    case .add: "add"
    case .subtract: "subtract"
    case .multiply: "multiply"
    case .divide: "divide"
    }
  }
}
