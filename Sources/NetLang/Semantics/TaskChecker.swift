// TaskChecker: `train`, `evaluate` and `sample` tasks of the main file (grammar.md section 7):
// settings with defaults, losses against model outputs and data fields, optimizers and
// schedules, and every model input fed by a data field of the same name.

import NetLangTensor
import NetLangTraining

extension Checker {
  static let trainSettings = [
    "loss", "optimizer", "epochs", "batch", "validate", "seed", "schedule", "patience", "clip",
    "shuffle", "freeze",
  ]
  static let evaluateSettings = ["metrics", "loss"]
  static let sampleSettings = ["length", "temperature", "prime", "seed"]
  static let predictSettings = ["out"]
  static let pretrainSettings = [
    "epochs", "batch", "lr", "code_lr", "momentum", "initial_momentum", "momentum_epochs",
    "weight_decay", "k", "seed",
  ]
  static let compareSettings = ["pca", "fit", "images", "codes"]

  /// Checks the tasks of `unit` in order; evaluate tasks without a loss use the model's train
  /// loss.
  mutating func checkTasks(_ unit: SourceUnit) -> [CheckedTask] {
    var checked: [CheckedTask?] = []
    var trainLosses: [String: LossSpec] = [:]
    var pendingEvaluations: [Int: SourceSpan] = [:]
    var trainedModels: Set<String> = []
    for declaration in unit.declarations {
      guard case .taskDecl(let task) = declaration else { continue }
      let result = checkTask(task)
      if task.verb.name == "train" { trainedModels.insert(task.model.name) }
      if case .train(let train) = result, trainLosses[train.model] == nil {
        trainLosses[train.model] = train.loss
      }
      if case .evaluate(let evaluation) = result, evaluation.loss == nil {
        pendingEvaluations[checked.count] = task.verb.span
      }
      checked.append(result)
    }
    for (index, span) in pendingEvaluations.sorted(by: { $0.key < $1.key }) {
      guard case .evaluate(var evaluation) = checked[index] else { continue }
      guard let loss = trainLosses[evaluation.model] else {
        // A train task whose loss failed has already said why.
        if !trainedModels.contains(evaluation.model) {
          report(SemanticDiagnostics.noLoss(model: evaluation.model, at: span))
        }
        continue
      }
      if let data = dataSets.first(where: { $0.name == evaluation.data }),
        !data.schema.fields.contains(where: { $0.name == loss.target })
      {
        report(SemanticDiagnostics.lossTarget(Expr(.name(loss.target), span), data: data))
        continue
      }
      evaluation.loss = loss
      if evaluation.metrics.isEmpty {
        evaluation.metrics = loss.kind == .crossEntropy ? [.loss, .accuracy] : [.loss]
      }
      checked[index] = .evaluate(evaluation)
    }
    return checked.compactMap { $0 }
  }

  /// The model and data of a task, after checking the verb and preposition.
  private mutating func checkTask(_ task: TaskDecl) -> CheckedTask? {
    let verbs = [
      "train": "on", "evaluate": "on", "sample": "from", "predict": "on", "pretrain": "on",
      "compare": "on",
    ]
    guard let preposition = verbs[task.verb.name] else {
      report(
        SemanticDiagnostics.unknownTask(
          task.verb, suggestion: suggestion(for: task.verb.name, among: Array(verbs.keys))))
      return nil
    }
    if task.preposition.name != preposition {
      report(
        SemanticDiagnostics.wrongPreposition(
          task.preposition, expected: preposition, verb: task.verb.name))
    }
    let allowed: [String]
    switch task.verb.name {
    case "train": allowed = Self.trainSettings
    case "evaluate": allowed = Self.evaluateSettings
    case "predict": allowed = Self.predictSettings
    case "pretrain": allowed = Self.pretrainSettings
    case "compare": allowed = Self.compareSettings
    default: allowed = Self.sampleSettings
    }
    var settings: [String: Setting] = [:]
    for setting in task.settings {
      if let previous = settings[setting.name.name] {
        report(SemanticDiagnostics.duplicateSetting(setting.name, previous: previous.name.span))
      } else if !allowed.contains(setting.name.name) {
        report(
          SemanticDiagnostics.unknownSetting(
            setting.name, task: task.verb.name,
            suggestion: suggestion(for: setting.name.name, among: allowed)))
      } else {
        settings[setting.name.name] = setting
      }
    }
    let model = taskModel(task.model)
    let dataValue = evaluateInGlobalScope(task.data)
    var data: CheckedData? = nil
    switch dataValue {
    case .dataSet(let index): data = dataSets[index]
    case .invalid: break
    default:
      report(
        SemanticDiagnostics.wrongKind(
          expected: "a data set", found: dataValue, parameter: nil, callee: task.verb.name,
          at: task.data.span))
    }
    guard let model, let data else {
      // Still check the settings' own values.
      // Losses, optimizers and schedules are only values of their settings: skip them here,
      // or a broken model would cascade into "'sgd' can only be used as ...".
      let special = ["loss", "metrics", "optimizer", "schedule", "freeze"]
      for setting in task.settings where !special.contains(setting.name.name) {
        _ = evaluateInGlobalScope(setting.value)
      }
      return nil
    }
    checkInputs(of: model, fedBy: data, at: task.data.span)
    switch task.verb.name {
    case "train": return checkTrain(task, model: model, data: data, settings: settings)
    case "evaluate": return checkEvaluate(task, model: model, data: data, settings: settings)
    case "predict": return checkPredict(task, model: model, data: data, settings: settings)
    case "pretrain": return checkPretrain(task, model: model, data: data, settings: settings)
    case "compare": return checkCompare(task, model: model, data: data, settings: settings)
    default: return checkSample(task, model: model, data: data, settings: settings)
    }
  }

  /// The checked model a task names; nil (after reporting) when it is not a model.
  private mutating func taskModel(_ name: Identifier) -> CheckedModel? {
    guard let entry = globals[name.name] else {
      let models = globals.values.compactMap { entry -> String? in
        if case .model = entry.declaration { return entry.name.name }
        return nil
      }
      report(
        SemanticDiagnostics.unknownName(
          name.name, at: name.span, suggestion: suggestion(for: name.name, among: models)))
      return nil
    }
    guard case .model = entry.declaration else {
      report(SemanticDiagnostics.notAModel(name, what: entry.kindName))
      return nil
    }
    return models[name.name]
  }

  /// Every model input is fed by the data field of the same name, of the same element count.
  mutating func checkInputs(of model: CheckedModel, fedBy data: CheckedData, at span: SourceSpan) {
    for ref in model.inputs {
      let node = model[ref]
      guard case .input(let name) = node.op else { continue }
      guard let field = data.schema.fields.first(where: { $0.name == name }) else {
        report(
          SemanticDiagnostics.missingField(
            name, model: model.name, data: data, at: span, input: node.span))
        continue
      }
      if field.shape != node.shape,
        ShapeRules.saturatingCount(field.shape.dimensions)
          != ShapeRules.saturatingCount(node.shape.dimensions)
      {
        report(
          SemanticDiagnostics.fieldShapeMismatch(
            input: name, shape: node.shape, field: field, data: data, at: span,
            inputSpan: node.span))
      }
    }
  }

  /// A setting's value among top-level names, kind-checked like a built-in argument.
  mutating func settingValue(
    _ settings: [String: Setting], _ name: String, _ kind: ParameterKind, task: String
  ) -> Value? {
    guard let setting = settings[name] else { return nil }
    let value = evaluateInGlobalScope(setting.value)
    let argument = ArgumentValue(value: value, span: setting.value.span)
    guard checkKind(argument, kind, parameter: name, callee: task) else { return .invalid }
    return value
  }

  /// `mse(output, field)`, `cross_entropy(...)`, `bce(...)` against the model and data.
  mutating func checkLoss(_ expr: Expr, model: CheckedModel, data: CheckedData) -> LossSpec? {
    guard case .call(let callee, let arguments) = expr.kind,
      let kind = LossKind(rawValue: callee.name)
    else {
      report(SemanticDiagnostics.notALoss(at: expr.span, suggestion: lossSuggestion(expr)))
      return nil
    }
    let match = matchArguments(
      arguments, parameters: ["output", "target"], required: ["output", "target"], callee: callee)
    guard !match.failed, let output = match.byParameter["output"]?.value,
      let target = match.byParameter["target"]?.value
    else { return nil }
    guard case .name(let outputName) = output.kind,
      let outputRef = model.outputs.first(where: { $0.name == outputName })?.node
    else {
      report(SemanticDiagnostics.lossOutput(output, model: model))
      return nil
    }
    guard case .name(let targetName) = target.kind,
      let field = data.schema.fields.first(where: { $0.name == targetName })
    else {
      report(SemanticDiagnostics.lossTarget(target, data: data))
      return nil
    }
    let outputShape = model[outputRef].shape
    let spec = LossSpec(kind: kind, output: outputName, target: targetName, span: expr.span)
    switch kind {
    case .crossEntropy:
      guard field.kind == .classIndex else {
        report(SemanticDiagnostics.lossNeedsClasses(field, data: data.name, at: target.span))
        return nil
      }
      guard outputShape.rank >= 1,
        Array(outputShape.dimensions.dropLast()) == field.shape.dimensions
      else {
        report(
          SemanticDiagnostics.lossShapes(
            kind, output: outputShape, field: field, at: expr.span,
            operands: [output.span, target.span]))
        return nil
      }
      if let classes = data.schema.classes, let width = outputShape.dimensions.last,
        classes > width
      {
        report(
          SemanticDiagnostics.tooFewClasses(
            width, classes: classes, data: data.name, at: output.span))
        return nil
      }
    case .mse, .bce:
      if ShapeRules.saturatingCount(outputShape.dimensions)
        != ShapeRules.saturatingCount(field.shape.dimensions)
      {
        report(
          SemanticDiagnostics.lossShapes(
            kind, output: outputShape, field: field, at: expr.span,
            operands: [output.span, target.span]))
        return nil
      }
    }
    return spec
  }

  private func lossSuggestion(_ expr: Expr) -> String? {
    guard case .call(let callee, _) = expr.kind else { return nil }
    return suggestion(for: callee.name, among: ["mse", "cross_entropy", "bce"])
  }

  /// A call of a task built-in family (`sgd(...)`, `step(...)`) with checked arguments.
  mutating func taskCall(
    _ expr: Expr, family: BuiltinFamily, setting: String
  ) -> (String, Arguments)? {
    guard case .call(let callee, let arguments) = expr.kind,
      let builtin = Builtins.all[callee.name], builtin.family == family
    else {
      let options = Builtins.all.values.filter { $0.family == family }.map(\.name).sorted()
      var hint: String? = nil
      if case .call(let callee, _) = expr.kind {
        hint = suggestion(for: callee.name, among: options)
      }
      report(
        SemanticDiagnostics.badSettingCall(
          setting, options: options, at: expr.span, suggestion: hint))
      return nil
    }
    let saved = (context, frame)
    context = .constant
    frame = nil
    let args = prepareArguments(builtin, callee: callee, arguments: arguments, span: expr.span)
    (context, frame) = saved
    guard let args else { return nil }
    return (builtin.name, args)
  }
}
