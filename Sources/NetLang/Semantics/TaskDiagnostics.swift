// TaskDiagnostics: E04xx (tasks), E05xx (data) and W02xx (unused names) messages,
// alphabetical.

import NetLangTensor
import NetLangTraining

extension SemanticDiagnostics {
  static func accuracyNeedsClasses(at span: SourceSpan) -> Diagnostic {
    .error(
      .invalidSetting, "'accuracy' needs a cross_entropy or bce loss", at: span,
      notes: [.note("an mse loss has no classes to compare")])
  }

  static func badMetrics(at span: SourceSpan, suggestion: String?) -> Diagnostic {
    .error(.invalidSetting, "metrics must be a list of 'loss' and 'accuracy'", at: span)
      .with(suggestion.map { .help("did you mean '\($0)'?") })
  }

  static func badSettingCall(
    _ setting: String, options: [String], at span: SourceSpan, suggestion: String?
  ) -> Diagnostic {
    let list = options.map { "\($0)(...)" }.joined(separator: ", ")
    return .error(.invalidSetting, "'\(setting)' must be one of \(list)", at: span)
      .with(suggestion.map { .help("did you mean '\($0)'?") })
  }

  static func badTableColumn(_ name: String, at span: SourceSpan, reason: String) -> Diagnostic {
    .error(.invalidValue, "table field '\(name)' must be \(reason)", at: span)
  }

  static func duplicateSetting(_ name: Identifier, previous: SourceSpan) -> Diagnostic {
    .error(
      .duplicateSetting, "setting '\(name.name)' is given twice", at: name.span,
      notes: [.note("first given here", at: previous)])
  }

  static func emptySlice(from: Double, to: Double, at span: SourceSpan) -> Diagnostic {
    .error(
      .invalidValue,
      "slice from \(formatNumber(from)) to \(formatNumber(to)) is empty: 'from' must be less than 'to'",
      at: span)
  }

  static func emptyTable(at span: SourceSpan) -> Diagnostic {
    .error(
      .invalidValue, "a table needs at least one field", at: span,
      notes: [.help("write table(x: [[0, 0], [0, 1]], y: [0, 1])")])
  }

  static func fieldShapeMismatch(
    input: String, shape: Shape, field: DataField, data: CheckedData, at span: SourceSpan,
    inputSpan: SourceSpan
  ) -> Diagnostic {
    .error(
      .inputFieldMismatch,
      "input '\(input)' has shape \(shape) but field '\(field.name)' of '\(data.name)' has "
        + "shape \(field.shape)",
      at: span,
      notes: [
        .note("input '\(input)' is declared here", at: inputSpan),
        .note("a field feeds an input of the same number of elements"),
        .note(fieldList(data)),
      ])
  }

  static func lossNeedsClasses(_ field: DataField, data: String, at span: SourceSpan) -> Diagnostic
  {
    .error(
      .lossTarget,
      "cross_entropy needs class labels, but field '\(field.name)' of '\(data)' "
        + "holds real values", at: span,
      notes: [.help("use mse(...) for real-valued targets")])
  }

  static func lossOutput(_ expr: Expr, model: CheckedModel) -> Diagnostic {
    let outputs = model.outputs.map { "'\($0.name)'" }.joined(separator: ", ")
    let subject: String
    if case .name(let name) = expr.kind {
      subject = "'\(name)' is not an output of model '\(model.name)'"
    } else {
      subject = "the first argument of a loss must name an output of model '\(model.name)'"
    }
    return .error(
      .lossOutput, subject, at: expr.span, notes: [.note("its outputs are \(outputs)")])
  }

  static func lossShapes(
    _ kind: LossKind, output: Shape, field: DataField, at span: SourceSpan, operands: [SourceSpan]
  ) -> Diagnostic {
    let rule =
      kind == .crossEntropy
      ? "cross_entropy needs an output [..., classes] and labels [...]"
      : "\(kind.rawValue) needs an output and a target with the same number of elements"
    return .error(
      .lossTarget,
      "\(rule): found output \(output) and field '\(field.name)' \(field.shape)",
      at: span, highlights: operands)
  }

  static func lossTarget(_ expr: Expr, data: CheckedData) -> Diagnostic {
    let subject: String
    if case .name(let name) = expr.kind {
      subject = "data set '\(data.name)' has no field '\(name)'"
    } else {
      subject = "the second argument of a loss must name a field of '\(data.name)'"
    }
    return .error(.lossTarget, subject, at: expr.span, notes: [.note(fieldList(data))])
  }

  static func missingField(
    _ input: String, model: String, data: CheckedData, at span: SourceSpan,
    input inputSpan: SourceSpan
  ) -> Diagnostic {
    .error(
      .inputFieldMismatch,
      "input '\(input)' of model '\(model)' has no field of that name in '\(data.name)'",
      at: span,
      notes: [.note(fieldList(data)), .note("input '\(input)' is declared here", at: inputSpan)])
  }

  static func missingSetting(_ name: String, task: TaskDecl) -> Diagnostic {
    .error(
      .missingSetting, "'\(task.verb.name)' needs a '\(name)' setting", at: task.verb.span,
      notes: [.help("add e.g. \(name) = cross_entropy(logits, label)")])
  }

  static func noLoss(model: String, at span: SourceSpan) -> Diagnostic {
    .error(
      .noLoss, "no loss to evaluate model '\(model)' with", at: span,
      notes: [.help("add 'loss = ...' to this task or train '\(model)' in this file")])
  }

  static func notALoss(at span: SourceSpan, suggestion: String?) -> Diagnostic {
    .error(.invalidSetting, "'loss' must be mse(...), cross_entropy(...) or bce(...)", at: span)
      .with(suggestion.map { .help("did you mean '\($0)'?") })
  }

  static func notAModel(_ name: Identifier, what: String) -> Diagnostic {
    .error(.notAModel, "'\(name.name)' is a \(what), not a model", at: name.span)
  }

  static func sampleNeedsText(data: String, at span: SourceSpan) -> Diagnostic {
    .error(
      .sampleRequirement, "'sample' needs a text(...) data set, and '\(data)' is not one",
      at: span)
  }

  static func sampleOutput(
    model: String, shape: Shape?, vocabulary: Int, at span: SourceSpan
  ) -> Diagnostic {
    .error(
      .sampleRequirement,
      "the first output of '\(model)' must be next-character logits [..., \(vocabulary)], found "
        + (shape?.description ?? "none"),
      at: span)
  }

  static func tableSizeMismatch(
    _ name: String, rows: Int, expected: Int, at span: SourceSpan
  ) -> Diagnostic {
    .error(
      .invalidValue,
      "table field '\(name)' has \(rows) rows but the fields before it have "
        + "\(expected)", at: span)
  }

  static func tooFewClasses(_ width: Int, classes: Int, data: String, at span: SourceSpan)
    -> Diagnostic
  {
    .error(
      .lossTarget, "the output has \(width) classes but '\(data)' has labels up to \(classes - 1)",
      at: span, notes: [.help("give the last layer \(classes) units")])
  }

  static func unknownSetting(_ name: Identifier, task: String, suggestion: String?) -> Diagnostic {
    .error(.unknownSetting, "'\(task)' has no setting '\(name.name)'", at: name.span)
      .with(suggestion.map { .help("did you mean '\($0)'?") })
  }

  static func unknownTask(_ verb: Identifier, suggestion: String?) -> Diagnostic {
    .error(
      .unknownTask, "unknown task '\(verb.name)': tasks are train, evaluate and sample",
      at: verb.span
    ).with(suggestion.map { .help("did you mean '\($0)'?") })
  }

  static func unlabelledTableColumn(at span: SourceSpan) -> Diagnostic {
    .error(.invalidValue, "every table field needs a name: table(x: [...], y: [...])", at: span)
  }

  static func unreadableData(_ error: DataError, at span: SourceSpan) -> Diagnostic {
    .error(.unreadableData, "cannot read data: \(error.description)", at: span)
  }

  static func unusedName(_ name: String, role: LocalRole, at span: SourceSpan) -> Diagnostic {
    switch role {
    case .input:
      return .warning(.unusedInput, "input '\(name)' is never used", at: span)
    case .parameter:
      return .warning(.unusedParameter, "parameter '\(name)' is never used", at: span)
    case .loopVariable:
      return .warning(.unusedLoopVariable, "loop variable '\(name)' is never used", at: span)
        .with(.help("use 'repeat n { ... }' when the body does not need it"))
    case .binding, .output:
      return .warning(.unusedBinding, "'\(name)' is bound but never used", at: span)
    }
  }

  static func wrongPreposition(_ word: Identifier, expected: String, verb: String) -> Diagnostic {
    .error(
      .wrongPreposition, "'\(verb)' is written '\(verb) Model \(expected) data'", at: word.span
    )
    .with(.help("write '\(expected)' instead of '\(word.name)'"))
  }

  /// "its fields are image [1, 28, 28], label []".
  static func fieldList(_ data: CheckedData) -> String {
    let fields = data.schema.fields.map { "'\($0.name)' \($0.shape)" }.joined(separator: ", ")
    return "the fields of '\(data.name)' are \(fields)"
  }
}

extension SemanticDiagnostics {
  /// `compare` on a model whose output does not reconstruct its input.
  static func compareNeedsReconstruction(
    model: String, input: Shape, output: Shape, at span: SourceSpan
  ) -> Diagnostic {
    .error(
      .invalidSetting,
      "'compare' needs a model that reconstructs its input, but \(model) maps \(input) to "
        + "\(output)", at: span)
  }

  /// `codes = "name"` naming a binding that is not two values.
  static func codesNotTwoDimensional(_ name: String, shape: Shape, at span: SourceSpan) -> Diagnostic {
    .error(
      .invalidSetting, "'codes' needs a binding of 2 values to plot, but '\(name)' has shape \(shape)",
      at: span)
  }

  /// `pretrain` on a model without dense layers fed by its input.
  static func noEncoder(model: String, at span: SourceSpan) -> Diagnostic {
    .error(
      .invalidSetting, "'pretrain' found no dense layers fed by \(model)'s input to train as RBMs",
      at: span,
      notes: [.help("pretrain trains 'dense' layers (each followed by 'sigmoid', the last one may be linear) from the first input")])
  }
}

extension SemanticDiagnostics {
  /// A `freeze` entry that is not a layer of the model.
  static func badFreeze(_ expected: String, at span: SourceSpan, suggestion: String?) -> Diagnostic
  {
    .error(.invalidSetting, "'freeze' needs \(expected)", at: span)
      .with(suggestion.map { .help("did you mean '\($0)'?") })
  }
}
