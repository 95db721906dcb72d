// Session: the state of one `netlang run`: loaded data sets, each model's compiled graph and
// weights, the log. Tasks run in file order on it, so `evaluate` and `sample` see the weights
// `train` produced.

import Foundation
import NetLangGraph
import NetLangTensor
import NetLangTraining

/// One model compiled for a loss, with its executor (and so its weights).
struct CompiledModel {
  var lowered: LoweredModel
  var executor: Executor
  var loss: LossSpec?
  var trainingGraph: TrainingGraph? {
    guard let loss = lowered.loss else { return nil }
    return TrainingGraph(
      executor: executor, inputNames: lowered.inputNames, loss: loss,
      accuracy: lowered.accuracy)
  }
}

final class Session {
  let program: CheckedProgram
  let files: SourceFiles
  let options: RunOptions
  let console: Console
  let log: JSONLog
  let pool: WorkerPool
  let started = Date()
  /// The `.net` file being run, as given on the command line.
  var sourcePath = ""
  private var datasets: [String: Dataset] = [:]
  /// Compiled models by model name and loss; `active` names the one holding current weights.
  private var compiled: [String: CompiledModel] = [:]
  private var active: [String: String] = [:]
  private var trainedModels: [String] = []
  /// Optimizer steps taken by each model's last training (PyTorch's `num_batches_tracked`).
  var trainedSteps: [String: Int] = [:]
  /// The best validation loss seen by `--checkpoint-every`, for `PATH.best`.
  var bestValidationLoss = Double.infinity

  init(
    program: CheckedProgram, files: SourceFiles, options: RunOptions, console: Console,
    log: JSONLog
  ) {
    self.program = program
    self.files = files
    self.options = options
    self.console = console
    self.log = log
    self.pool = WorkerPool(threads: options.threads)
  }

  var renderer: DiagnosticRenderer { DiagnosticRenderer(files: files) }

  /// Prints a runtime error at `span` and returns the failure to throw.
  func fail(
    _ code: DiagnosticCode, _ message: String, at span: SourceSpan, notes: [Note] = []
  ) -> RunFailure {
    console.writeError(
      renderer.render(.error(code, message, at: span, notes: notes)) + "\n")
    return RunFailure(status: .runtimeFailure)
  }

  // MARK: Data

  /// The data set named `name`, loaded once.
  func dataset(_ name: String) throws(RunFailure) -> Dataset {
    if let cached = datasets[name] { return cached }
    guard let declaration = program.data(named: name) else {
      console.writeError("netlang: error: internal: no data set '\(name)'\n")
      throw RunFailure(status: .runtimeFailure)
    }
    do {
      let data = try DataReader.load(declaration.spec)
      datasets[name] = data
      return data
    } catch {
      throw fail(.unreadableData, "cannot read data '\(name)': \(error)", at: declaration.span)
    }
  }

  // MARK: Models

  /// The settings a train task runs with, after command-line overrides.
  func settings(for task: TrainTask) -> TrainingSettings {
    var optimizer = task.optimizer
    if let rate = options.learningRate {
      switch optimizer {
      case .sgd(var sgd):
        sgd.learningRate = rate
        optimizer = .sgd(sgd)
      case .adam(var adam):
        adam.learningRate = rate
        optimizer = .adam(adam)
      }
    }
    return TrainingSettings(
      epochs: options.epochs ?? task.epochs, batch: options.batch ?? task.batch,
      seed: options.seed ?? task.seed, optimizer: optimizer, schedule: task.schedule,
      patience: task.patience, clip: task.clip, shuffle: task.shuffle, frozen: task.freeze)
  }

  /// The largest batch any task of `model` uses.
  func capacity(for model: String) -> Int {
    var largest = options.batch ?? 1
    for train in program.trainTasks where train.model == model {
      largest = max(largest, options.batch ?? train.batch)
    }
    return max(largest, options.batch ?? 128)
  }

  /// The model compiled for `loss` (with a backward pass when `backward`), holding the
  /// model's current weights.
  func compiledModel(
    _ name: String, loss: LossSpec?, data: String?, backward: Bool
  ) throws(RunFailure) -> CompiledModel {
    let key = "\(name)|\(loss.map { "\($0.kind.rawValue)(\($0.output),\($0.target))" } ?? "-")"
    if let existing = compiled[key], !backward || existing.lowered.graph.backwardStart != nil {
      try activate(key, model: name)
      return existing
    }
    guard let model = program.model(named: name) else {
      console.writeError("netlang: error: internal: no model '\(name)'\n")
      throw RunFailure(status: .runtimeFailure)
    }
    var targetShape: Shape?
    var targetIsClass = false
    if let loss, let data,
      let field = program.data(named: data)?.schema.fields.first(where: {
        $0.name == loss.target
      })
    {
      targetShape = field.shape
      targetIsClass = field.kind == .classIndex
    }
    let lowered: LoweredModel
    do {
      lowered = try Lowering.lower(
        model, loss: loss, targetShape: targetShape,
        targetIsClass: targetIsClass && loss?.kind == .crossEntropy, backward: backward)
    } catch {
      throw fail(.loweringFailed, error.message, at: error.span)
    }
    let executor = Executor(
      graph: lowered.graph, maxBatch: capacity(for: name), pool: pool,
      dropoutSeed: (options.seed ?? 0) &+ 0xD20F)
    var random = Random(seed: initialSeed(for: name))
    executor.initializeParameters(random: &random)
    lowered.unrollMirrors(in: executor)
    let entry = CompiledModel(lowered: lowered, executor: executor, loss: loss)
    let previous = active[name].flatMap { compiled[$0] }
    compiled[key] = entry
    if let previous {
      Session.copyWeights(from: previous.executor, to: executor)
    } else if let path = options.load {
      try loadWeights(path, into: executor, model: name)
    }
    active[name] = key
    return entry
  }

  /// The seed of a model's initial weights: its first train task's seed, or the override.
  func initialSeed(for model: String) -> UInt64 {
    options.seed ?? program.trainTask(of: model)?.seed ?? 0
  }

  /// Makes `key` the compiled model that holds `model`'s weights, copying them over.
  private func activate(_ key: String, model: String) throws(RunFailure) {
    guard let current = active[model], current != key, let from = compiled[current],
      let to = compiled[key]
    else {
      active[model] = key
      return
    }
    Session.copyWeights(from: from.executor, to: to.executor)
    active[model] = key
  }

  static func copyWeights(from source: Executor, to target: Executor) {
    for (index, parameter) in source.graph.parameters.enumerated() {
      guard let destination = target.parameterValue(named: parameter.name) else { continue }
      let values = source.parameterValue(ParameterID(index))
      for i in 0..<min(values.count, destination.count) { destination[i] = values[i] }
    }
  }

  func markTrained(_ model: String) {
    if !trainedModels.contains(model) { trainedModels.append(model) }
  }

  /// The executor holding the weights `--save` writes: the last model trained.
  var modelToSave: (name: String, executor: Executor)? {
    guard let name = trainedModels.last ?? program.models.first?.name,
      let key = active[name], let model = compiled[key]
    else { return nil }
    return (name, model.executor)
  }

  var elapsed: Double { Date().timeIntervalSince(started) }
}

extension Session {
  /// The model holding `name`'s current weights, for forward passes (compiled without a loss
  /// when nothing has compiled it yet).
  func currentModel(_ name: String) throws(RunFailure) -> CompiledModel {
    if let key = active[name], let model = compiled[key] { return model }
    return try compiledModel(name, loss: nil, data: nil, backward: false)
  }
}
