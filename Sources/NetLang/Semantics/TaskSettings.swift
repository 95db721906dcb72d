// TaskSettings: the settings of each task kind with their defaults (grammar.md 7.1-7.3), and
// optimizer and schedule calls as `OptimizerSpec` / `ScheduleSpec`.

import NetLangTensor
import NetLangTraining

extension Checker {
  /// `train Model on data { ... }`.
  mutating func checkTrain(
    _ task: TaskDecl, model: CheckedModel, data: CheckedData, settings: [String: Setting]
  ) -> CheckedTask? {
    var loss: LossSpec? = nil
    if let setting = settings["loss"] {
      loss = checkLoss(setting.value, model: model, data: data)
    } else {
      report(SemanticDiagnostics.missingSetting("loss", task: task))
    }
    var optimizer = OptimizerSpec.sgd(SGDSettings(learningRate: 0.01))
    if let setting = settings["optimizer"] {
      optimizer = checkOptimizer(setting.value) ?? optimizer
    }
    var schedule = ScheduleSpec.constant
    if let setting = settings["schedule"] {
      schedule = checkSchedule(setting.value) ?? schedule
    }
    let epochs = settingValue(settings, "epochs", .whole(minimum: 1), task: "train")
    let batch = settingValue(settings, "batch", .whole(minimum: 1), task: "train")
    let seed = settingValue(settings, "seed", .whole(minimum: 0), task: "train")
    let patience = settingValue(settings, "patience", .whole(minimum: 1), task: "train")
    let clip = settingValue(settings, "clip", .number, task: "train")
    if let value = clip?.number, value <= 0, let setting = settings["clip"] {
      report(
        SemanticDiagnostics.invalidNumber(
          parameter: "clip", callee: "train", requirement: "a number > 0", found: .number(value),
          at: setting.value.span))
    }
    let shuffle = settingValue(settings, "shuffle", .boolean, task: "train")
    var validate: String? = nil
    if let value = settingValue(settings, "validate", .dataSet, task: "train"),
      case .dataSet(let index) = value, let setting = settings["validate"]
    {
      validate = dataSets[index].name
      checkInputs(of: model, fedBy: dataSets[index], at: setting.value.span)
      if let loss, dataSets[index].schema.fields.first(where: { $0.name == loss.target }) == nil {
        report(
          SemanticDiagnostics.lossTarget(
            Expr(.name(loss.target), setting.value.span), data: dataSets[index]))
      }
    }
    let freeze = settings["freeze"].map { checkFreeze($0, model: model) } ?? []
    guard let loss else { return nil }
    var seedValue: UInt64 = 0
    if let number = seed?.integer { seedValue = UInt64(max(0, number)) }
    var shuffleValue = true
    if case .boolean(let flag) = shuffle { shuffleValue = flag }
    return .train(
      TrainTask(
        model: model.name, data: data.name, loss: loss, optimizer: optimizer, schedule: schedule,
        epochs: epochs?.integer ?? 10, batch: batch?.integer ?? 32, validate: validate,
        seed: seedValue, patience: patience?.integer, clip: clip?.number,
        shuffle: shuffleValue, freeze: freeze, span: task.span))
  }

  /// `freeze = [fc1, conv1]`: layer names of the model (bare names or strings) whose
  /// parameters training keeps fixed.
  mutating func checkFreeze(_ setting: Setting, model: CheckedModel) -> [String] {
    let layers = model.nodes.compactMap(\.layerName)
    guard case .list(let items) = setting.value.kind else {
      report(
        SemanticDiagnostics.badFreeze(
          "a list of layer names, e.g. [fc1, conv1]", at: setting.value.span, suggestion: nil))
      return []
    }
    var names: [String] = []
    for item in items {
      let name: String
      switch item.kind {
      case .name(let text), .string(let text): name = text
      default:
        report(SemanticDiagnostics.badFreeze("a layer name", at: item.span, suggestion: nil))
        continue
      }
      guard layers.contains(name) else {
        report(
          SemanticDiagnostics.badFreeze(
            "a layer of \(model.name) (it has: \(layers.joined(separator: ", ")))", at: item.span,
            suggestion: suggestion(for: name, among: layers)))
        continue
      }
      names.append(name)
    }
    return names
  }

  /// `evaluate Model on data { metrics = [...], loss = ... }`; the loss may come later from
  /// the model's train task.
  mutating func checkEvaluate(
    _ task: TaskDecl, model: CheckedModel, data: CheckedData, settings: [String: Setting]
  ) -> CheckedTask? {
    var loss: LossSpec? = nil
    if let setting = settings["loss"] {
      guard let checked = checkLoss(setting.value, model: model, data: data) else { return nil }
      loss = checked
    }
    var metrics: [Metric] = []
    if let setting = settings["metrics"] {
      guard case .list(let items) = setting.value.kind else {
        report(SemanticDiagnostics.badMetrics(at: setting.value.span, suggestion: nil))
        return nil
      }
      for item in items {
        guard case .name(let name) = item.kind, let metric = Metric(rawValue: name) else {
          var hint: String? = nil
          if case .name(let name) = item.kind {
            hint = suggestion(for: name, among: ["loss", "accuracy"])
          }
          report(SemanticDiagnostics.badMetrics(at: item.span, suggestion: hint))
          return nil
        }
        if !metrics.contains(metric) { metrics.append(metric) }
      }
    } else if let loss {
      metrics = loss.kind == .crossEntropy ? [.loss, .accuracy] : [.loss]
    }
    if let loss, metrics.contains(.accuracy), loss.kind == .mse {
      report(
        SemanticDiagnostics.accuracyNeedsClasses(at: settings["metrics"]?.value.span ?? task.span))
      return nil
    }
    return .evaluate(
      EvaluateTask(
        model: model.name, data: data.name, loss: loss, metrics: metrics, span: task.span))
  }

  /// `predict Model on data { out = "predictions.csv" }`; without `out`, CSV goes to stdout.
  mutating func checkPredict(
    _ task: TaskDecl, model: CheckedModel, data: CheckedData, settings: [String: Setting]
  ) -> CheckedTask? {
    var output: String? = nil
    if case .string(let text) = settingValue(settings, "out", .string, task: "predict") {
      let directory = directories[task.span.file] ?? ""
      output = resolvePath(text, in: directory)
    }
    return .predict(
      PredictTask(model: model.name, data: data.name, output: output, span: task.span))
  }

  /// `sample Model from text { length, temperature, prime, seed }`.
  mutating func checkSample(
    _ task: TaskDecl, model: CheckedModel, data: CheckedData, settings: [String: Setting]
  ) -> CheckedTask? {
    let length = settingValue(settings, "length", .whole(minimum: 1), task: "sample")
    let temperature = settingValue(settings, "temperature", .number, task: "sample")
    let prime = settingValue(settings, "prime", .string, task: "sample")
    let seed = settingValue(settings, "seed", .whole(minimum: 0), task: "sample")
    if let value = temperature?.number, value <= 0, let setting = settings["temperature"] {
      report(
        SemanticDiagnostics.invalidNumber(
          parameter: "temperature", callee: "sample", requirement: "a number > 0",
          found: .number(value), at: setting.value.span))
      return nil
    }
    guard let vocabulary = data.schema.vocabulary else {
      report(SemanticDiagnostics.sampleNeedsText(data: data.name, at: task.data.span))
      return nil
    }
    guard let first = model.outputs.first, model[first.node].shape.dimensions.last == vocabulary
    else {
      let shape = model.outputs.first.map { model[$0.node].shape }
      report(
        SemanticDiagnostics.sampleOutput(
          model: model.name, shape: shape, vocabulary: vocabulary, at: task.model.span))
      return nil
    }
    var primeText = ""
    if case .string(let text) = prime { primeText = text }
    return .sample(
      SampleTask(
        model: model.name, data: data.name, length: length?.integer ?? 200,
        temperature: temperature?.number ?? 1.0, prime: primeText,
        seed: UInt64(max(0, seed?.integer ?? 0)), span: task.span))
  }

  private mutating func checkOptimizer(_ expr: Expr) -> OptimizerSpec? {
    guard let (name, args) = taskCall(expr, family: .optimizer, setting: "optimizer") else {
      return nil
    }
    if name == "sgd" {
      return .sgd(
        SGDSettings(
          learningRate: args["lr"]?.number ?? 0.01, momentum: args["momentum"]?.number ?? 0,
          dampening: args["dampening"]?.number ?? 0,
          weightDecay: args["weight_decay"]?.number ?? 0,
          nesterov: args["nesterov"] == .boolean(true)))
    }
    return .adam(
      AdamSettings(
        learningRate: args["lr"]?.number ?? 0.001, beta1: args["beta1"]?.number ?? 0.9,
        beta2: args["beta2"]?.number ?? 0.999, epsilon: args["eps"]?.number ?? 1e-8,
        weightDecay: args["weight_decay"]?.number ?? 0))
  }

  private mutating func checkSchedule(_ expr: Expr) -> ScheduleSpec? {
    guard let (name, args) = taskCall(expr, family: .schedule, setting: "schedule") else {
      return nil
    }
    switch name {
    case "step":
      return .step(every: args["every"]?.integer ?? 1, gamma: args["gamma"]?.number ?? 0.1)
    case "exponential":
      return .exponential(gamma: args["gamma"]?.number ?? 1)
    default:
      return .cosine(minimum: args["min_lr"]?.number ?? 0)
    }
  }
}
