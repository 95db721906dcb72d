// SessionTasks: what each task statement does when run: train (epoch lines, JSON events,
// divergence errors pointing at the op), evaluate, sample; and the weights files.

import Foundation
import NetLangGraph
import NetLangTensor
import NetLangTraining

extension Session {
  func run(_ task: CheckedTask, index: Int, resume: Checkpoint?) throws(RunFailure) {
    switch task {
    case .train(let train):
      if options.evaluateOnly { return }
      try self.train(train, index: index, resume: resume)
    case .evaluate(let evaluate):
      try self.evaluate(evaluate)
    case .sample(let sample):
      if options.evaluateOnly { return }
      try self.sample(sample)
    case .predict(let predict):
      if options.evaluateOnly { return }
      try self.predict(predict)
    case .pretrain(let pretrain):
      if options.evaluateOnly { return }
      try self.pretrain(pretrain)
    case .compare(let compare):
      try self.compare(compare)
    }
  }

  // MARK: train

  func train(_ task: TrainTask, index: Int, resume: Checkpoint?) throws(RunFailure) {
    let settings = settings(for: task)
    let data = try dataset(task.data)
    let validation = try task.validate.map { (name) throws(RunFailure) in try dataset(name) }
    let model = try compiledModel(task.model, loss: task.loss, data: task.data, backward: true)
    guard let graph = model.trainingGraph else { return }
    let trainer = Trainer(
      graph: graph, settings: settings,
      clock: { [started] in Date().timeIntervalSince(started) })
    var start = trainer.initialState()
    if let resume {
      start = try restore(resume, into: model.executor, task: task, settings: settings)
    }
    if !options.quiet {
      let parameters = model.lowered.graph.trainableParameterCount
      let from =
        resume.map { " (resuming after epoch \($0.state.epoch), step \($0.state.step))" } ?? ""
      console.write(
        "train \(task.model) on \(task.data): \(data.count) examples, "
          + "\(SummaryTable.grouped(parameters)) parameters, batch \(settings.batch), "
          + "\(settings.epochs) epochs\(from)\n")
    }
    let checkpointPath = checkpointPath(for: task.model)
    let progress = ProgressLine(console: console, enabled: console.isTerminal && !options.quiet)
    let isText = data.vocabulary != nil && task.loss.kind == .crossEntropy
    let interrupts = Interrupts()
    interrupts.install()
    defer { interrupts.uninstall() }
    var stepsRun = 0
    var history: [EpochReport] = []
    if options.profile {
      model.executor.nodeNanoseconds = [UInt64](
        repeating: 0, count: model.lowered.graph.nodes.count)
    }
    // Timing stops with this task however it ends (later tasks' passes are not counted).
    defer { model.executor.nodeNanoseconds = nil }
    let trainingStart = Date()
    let outcome: TrainingOutcome
    do {
      outcome = try trainer.train(
        on: data, validation: validation, from: start,
        events: { event in
          switch event {
          case .progress(let epoch, let step, let steps, let loss):
            stepsRun += 1
            if let limit = options.stopAfterSteps, stepsRun >= limit { interrupts.request() }
            progress.update(
              epoch: epoch, epochs: settings.epochs, step: step, of: steps, loss: loss)
          case .epochEnd(let report):
            progress.clear()
            history.append(report)
            if !options.quiet { console.write(EpochLine.text(report, bitsPerChar: isText) + "\n") }
            log.write(EpochLine.json(report, model: task.model, bitsPerChar: isText))
          case .stoppedEarly(let epoch, let best):
            progress.clear()
            if !options.quiet {
              console.write(
                "stopped early after epoch \(epoch): no better validation loss since epoch "
                  + "\(best); restored its weights\n")
            }
            log.write([
              ("event", .string("early_stop")), ("model", .string(task.model)),
              ("epoch", .integer(epoch)), ("best_epoch", .integer(best)),
            ])
          }
        },
        shouldStop: { interrupts.isRequested },
        epochEnded: { state in
          periodicCheckpoint(
            state, task: task, index: index, settings: settings, executor: model.executor,
            path: checkpointPath, validationLoss: history.last?.validationLoss)
        })
    } catch {
      progress.clear()
      throw report(error, task: task, model: model)
    }
    progress.clear()
    if let nanoseconds = model.executor.nodeNanoseconds {
      console.write(
        NodeProfile(lowered: model.lowered, nanoseconds: nanoseconds, files: files).text(
          model: task.model, seconds: Date().timeIntervalSince(trainingStart)))
    }
    markTrained(task.model)
    trainedSteps[task.model] = outcome.state.optimizer.step
    try writeCheckpoint(
      outcome.state, task: task, index: index, settings: settings, executor: model.executor,
      to: checkpointPath)
    if let plot = options.plot { try writePlot(history, model: task.model, to: plot) }
    if outcome.interrupted {
      console.write(
        "interrupted after epoch \(outcome.state.epoch), step \(outcome.state.step): "
          + "checkpoint written to \(checkpointPath)\n"
          + "continue with: netlang run \(sourcePath) --resume \(checkpointPath)\n")
      log.write([
        ("event", .string("interrupted")), ("model", .string(task.model)),
        ("epoch", .integer(outcome.state.epoch)), ("step", .integer(outcome.state.step)),
        ("checkpoint", .string(checkpointPath)),
      ])
      throw RunFailure(status: .interrupted)
    }
    if !options.quiet { console.write("checkpoint: \(checkpointPath)\n") }
  }

  /// Renders a training failure against the source.
  func report(_ error: TrainingError, task: TrainTask, model: CompiledModel) -> RunFailure {
    switch error {
    case .nonFinite(let epoch, let step, let node, let inBackward):
      var message =
        "training diverged: the loss or a gradient became NaN or infinite "
        + "at epoch \(epoch), step \(step)"
      var span = task.span
      var notes: [Note] = []
      if let node {
        let op = model.lowered.graph[node].op.name
        message += "; the first non-finite value came from '\(op)'"
        message += inBackward ? " in the backward pass" : ""
        if let origin = model.lowered.span(of: node) { span = origin }
        notes.append(.note("the training task is here", at: task.span))
      }
      notes.append(.help("lower the learning rate, or add 'clip = 5' to the train task"))
      return fail(.nonFiniteValue, message, at: span, notes: notes)
    case .execution(let failure, let epoch, let step):
      var span = task.span
      if case .invalidIndex(let node, _) = failure, let origin = model.lowered.span(of: node) {
        span = origin
      }
      return fail(
        .invalidData, "\(failure) (epoch \(epoch), step \(step))", at: span,
        notes: [.note("data '\(task.data)' feeds this model")])
    case .missingField(let name):
      return fail(.invalidData, "data '\(task.data)' has no field '\(name)'", at: task.span)
    }
  }

  // MARK: evaluate

  func evaluate(_ task: EvaluateTask) throws(RunFailure) {
    let data = try dataset(task.data)
    guard let loss = task.loss else {
      console.write("evaluate \(task.model) on \(task.data): no loss to measure\n")
      return
    }
    let model = try compiledModel(task.model, loss: loss, data: task.data, backward: false)
    guard let graph = model.trainingGraph else { return }
    let result: EvaluationReport
    do {
      result = try graph.evaluate(data, batch: graph.executor.plan.maxBatch)
    } catch {
      throw fail(.invalidData, "cannot evaluate on '\(task.data)': \(error)", at: task.span)
    }
    let isText = data.vocabulary != nil && loss.kind == .crossEntropy
    var parts = ["evaluate \(task.model) on \(task.data):"]
    var event: [(String, JSONValue)] = [
      ("event", .string("evaluate")), ("model", .string(task.model)),
      ("data", .string(task.data)),
    ]
    if let value = result.loss {
      parts.append("loss \(EpochLine.format(value))")
      event.append(("loss", .number(value)))
      if isText {
        let bits = value / Foundation.log(2.0)
        parts.append("(\(EpochLine.format(bits)) bits/char)")
        event.append(("bits_per_char", .number(bits)))
      }
    }
    if let accuracy = result.accuracy, task.metrics.contains(.accuracy) {
      parts.append("accuracy \(EpochLine.percent(accuracy))")
      event.append(("accuracy", .number(accuracy)))
    }
    parts.append("(\(result.examples) examples)")
    event.append(("examples", .integer(result.examples)))
    console.write(parts.joined(separator: " ") + "\n")
    log.write(event)
  }

  // MARK: weights

  func loadWeights(_ path: String, into executor: Executor, model: String) throws(RunFailure) {
    let tensors: [NamedTensor]
    do {
      tensors = try SafeTensors.read(path)
    } catch {
      console.writeError("netlang: error[E0503]: cannot load weights: \(error)\n")
      throw RunFailure(status: .runtimeFailure)
    }
    var loaded = 0
    var skipped: [String] = []
    // A checkpoint's training state (optimizer moments, best weights) is not weights, and
    // PyTorch's batchnorm step counters have no use here.
    let counters = tensors.filter { $0.name.hasSuffix(".num_batches_tracked") }.map(\.name)
    let stateTensors = tensors.filter {
      $0.name.hasPrefix("optimizer.") || $0.name.hasPrefix("best.")
    }
    let weights = tensors.filter {
      !$0.name.hasPrefix("optimizer.") && !$0.name.hasPrefix("best.")
        && !counters.contains($0.name)
    }
    for tensor in weights {
      guard let id = executor.graph.parameter(named: tensor.name) else {
        skipped.append(tensor.name)
        continue
      }
      let expected = executor.graph[id].shape
      guard expected.dimensions == tensor.shape || expected.elementCount == tensor.values.count
      else {
        console.writeError(
          "netlang: error[E0503]: \(path): '\(tensor.name)' has shape "
            + "\(Shape(tensor.shape)) but model \(model) needs \(expected)\n")
        throw RunFailure(status: .runtimeFailure)
      }
      let target = executor.parameterValue(id)
      for i in 0..<target.count { target[i] = tensor.values[i] }
      loaded += 1
    }
    let names = Set(weights.map(\.name))
    let unset = executor.graph.parameters.map(\.name).filter { !names.contains($0) }
    if !options.quiet {
      console.write("loaded \(loaded) tensors from \(path)\n")
      if !stateTensors.isEmpty {
        console.write("  ignored the checkpoint's training state (use --resume to continue it)\n")
      }
      if !skipped.isEmpty {
        console.write("  skipped (not in \(model)): \(skipped.joined(separator: ", "))\n")
      }
      if !unset.isEmpty {
        console.write("  left as initialised: \(unset.joined(separator: ", "))\n")
      }
    }
  }

  func saveIfAsked() throws(RunFailure) {
    guard let path = options.save, let (name, executor) = modelToSave else { return }
    let tensors = weightTensors(executor, steps: trainedSteps[name] ?? 0)
    do {
      try SafeTensors.write(
        tensors, metadata: ["format": "pt", "netlang.model": name], to: path)
    } catch {
      console.writeError("netlang: error[E0505]: cannot save weights: \(error)\n")
      throw RunFailure(status: .runtimeFailure)
    }
    if !options.quiet { console.write("saved \(name) weights to \(path)\n") }
  }

  // MARK: log

  /// The seed of the file's first train task (0 without one).
  var firstSeed: UInt64 { program.trainTasks.first?.seed ?? 0 }

  func logRun(path: String, source: [UInt8]) {
    var settings: [(String, JSONValue)] = []
    if let epochs = options.epochs { settings.append(("epochs", .integer(epochs))) }
    if let batch = options.batch { settings.append(("batch", .integer(batch))) }
    if let rate = options.learningRate { settings.append(("lr", .number(rate))) }
    settings.append(("threads", .integer(options.threads)))
    let parameters = program.models.reduce(0) { $0 + $1.trainableParameterCount }
    log.write([
      ("event", .string("run")), ("version", .string(Help.version)), ("file", .string(path)),
      ("sha256", .string(SHA256.hex(source))),
      ("seed", .integer(Int(options.seed ?? firstSeed))),
      ("parameters", .integer(parameters)), ("settings", .object(settings)),
    ])
  }
}
