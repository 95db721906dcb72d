// Trainer: the epoch loop. Per batch: gather the fields into the executor's inputs, forward,
// backward, clip, optimizer step; per epoch: schedule, validation, early stopping. Returns
// reports through a callback; never prints.

import NetLangGraph
import NetLangTensor

/// The settings of one training run (a `train` task with command-line overrides applied).
public struct TrainingSettings: Sendable {
  public var epochs: Int
  public var batch: Int
  public var seed: UInt64
  public var optimizer: OptimizerSpec
  public var schedule: ScheduleSpec
  public var patience: Int?
  public var clip: Double?
  public var shuffle: Bool
  /// Layer names whose parameters (`<layer>.*`) are not updated.
  public var frozen: [String]

  public init(
    epochs: Int, batch: Int, seed: UInt64, optimizer: OptimizerSpec,
    schedule: ScheduleSpec = .constant, patience: Int? = nil, clip: Double? = nil,
    shuffle: Bool = true, frozen: [String] = []
  ) {
    self.frozen = frozen
    self.epochs = epochs
    self.batch = batch
    self.seed = seed
    self.optimizer = optimizer
    self.schedule = schedule
    self.patience = patience
    self.clip = clip
    self.shuffle = shuffle
  }
}

/// Why training stopped early with an error.
public enum TrainingError: Error, Equatable, Sendable {
  /// The loss or a gradient became NaN or infinite; `node` is the first graph node that
  /// produced a non-finite value, when it could be found.
  case nonFinite(epoch: Int, step: Int, node: NodeID?, inBackward: Bool)
  /// The executor refused the data (a bad class index, a size mismatch).
  case execution(ExecutionError, epoch: Int, step: Int)
  /// A model input or loss target has no field of that name in the data.
  case missingField(String)
}

/// What the graph reads and where: the executor plus the node ids of loss and accuracy.
public struct TrainingGraph {
  public let executor: Executor
  /// Graph input names; each is fed from the data field of the same name.
  public let inputNames: [String]
  public let loss: NodeID
  public let accuracy: NodeID?

  public init(executor: Executor, inputNames: [String], loss: NodeID, accuracy: NodeID?) {
    self.executor = executor
    self.inputNames = inputNames
    self.loss = loss
    self.accuracy = accuracy
  }

  /// The trainable parameters with their gradients, for the optimizer.
  public func parameterBuffers() -> [ParameterBuffer] {
    var buffers: [ParameterBuffer] = []
    for (index, parameter) in executor.graph.parameters.enumerated() where parameter.trainable {
      let id = ParameterID(index)
      guard let gradient = executor.parameterGradient(id) else { continue }
      buffers.append(
        ParameterBuffer(
          name: parameter.name, value: executor.parameterValue(id), gradient: gradient))
    }
    return buffers
  }

  /// Field index in `data` for each graph input.
  public func fieldIndices(in data: Dataset) throws(TrainingError) -> [Int] {
    var indices: [Int] = []
    for name in inputNames {
      guard let index = data.fieldIndex(named: name) else { throw .missingField(name) }
      indices.append(index)
    }
    return indices
  }

  /// Copies the examples `rows` of every input field into the executor.
  public func feed(_ data: Dataset, fields: [Int], rows: ArraySlice<Int>) throws(ExecutionError) {
    try executor.setBatchSize(rows.count)
    for (name, field) in zip(inputNames, fields) {
      let buffer = try executor.inputBuffer(name)
      guard let base = buffer.baseAddress else { continue }
      data.gather(field: field, indices: rows, into: base)
    }
  }

  /// Loss (mean over examples) and accuracy of the current weights on `data`, in batches.
  public func evaluate(_ data: Dataset, batch: Int) throws(TrainingError) -> EvaluationReport {
    let fields = try fieldIndices(in: data)
    let size = max(1, min(batch, executor.plan.maxBatch))
    var lossSum = 0.0
    var correct = 0.0
    var start = 0
    let order = Array(0..<data.count)
    while start < data.count {
      let rows = order[start..<min(start + size, data.count)]
      do {
        try feed(data, fields: fields, rows: rows)
        try executor.forward(training: false)
      } catch {
        throw .execution(error, epoch: 0, step: start / size + 1)
      }
      let count = Double(rows.count)
      lossSum += Double(executor.value(of: loss)[0]) * count
      if let accuracy { correct += Double(executor.value(of: accuracy)[0]) * count }
      start += size
    }
    let examples = Double(max(1, data.count))
    return EvaluationReport(
      examples: data.count, loss: lossSum / examples,
      accuracy: accuracy == nil ? nil : correct / examples)
  }
}

/// Everything needed to continue a run exactly where it stopped (with the weights, which live
/// in the executor): the position, the generators, the running sums of a partly done epoch,
/// the optimizer's state and early stopping's best weights.
public struct TrainingState: Equatable, Sendable {
  /// Epochs completed.
  public var epoch = 0
  /// Steps completed in the current epoch (0: it has not started).
  public var step = 0
  /// The shuffle generator as it was when the current epoch drew its order (or, at step 0, as
  /// the next epoch will find it).
  public var shuffleRandom: [UInt64]
  /// The dropout generator.
  public var dropoutRandom: [UInt64]
  /// Sum of batch losses and count of correct examples so far in the current epoch.
  public var lossSum = 0.0
  public var correct = 0.0
  /// Seconds spent in the current epoch before an interruption.
  public var epochSeconds = 0.0
  public var optimizer = OptimizerState()
  /// Early stopping: the best validation loss so far, its epoch and its weights.
  public var bestLoss: Double?
  public var bestEpoch = 0
  public var bestWeights: [[Float]] = []

  public init(shuffleRandom: [UInt64], dropoutRandom: [UInt64]) {
    self.shuffleRandom = shuffleRandom
    self.dropoutRandom = dropoutRandom
  }
}

/// How a call to `Trainer.train` ended.
public struct TrainingOutcome: Sendable {
  /// One report per epoch completed during this call.
  public var reports: [EpochReport]
  /// The state to resume from (after the last step run).
  public var state: TrainingState
  /// True when `shouldStop` ended the run before its last epoch.
  public var interrupted: Bool
}

/// Runs the epoch loop on a `TrainingGraph`.
public struct Trainer {
  public let graph: TrainingGraph
  public let settings: TrainingSettings
  /// Seconds since an arbitrary start; injected so tests and the driver share one clock.
  public var clock: () -> Double

  public init(graph: TrainingGraph, settings: TrainingSettings, clock: @escaping () -> Double) {
    self.graph = graph
    self.settings = settings
    self.clock = clock
  }

  /// The state of a run that has not started.
  public func initialState() -> TrainingState {
    TrainingState(
      shuffleRandom: Random(seed: settings.seed &+ 0x5eed).words,
      dropoutRandom: graph.executor.random.words)
  }

  /// Trains on `data` from `state` (a fresh run: `initialState()`), validating on `validation`
  /// after each epoch; reports each event. `shouldStop` is polled after every step (an
  /// interrupt); `epochEnded` after every epoch, with the state to checkpoint.
  public func train(
    on data: Dataset, validation: Dataset?, from start: TrainingState? = nil,
    events: (TrainingEvent) -> Void, shouldStop: () -> Bool = { false },
    epochEnded: (TrainingState) -> Void = { _ in }
  ) throws(TrainingError) -> TrainingOutcome {
    let executor = graph.executor
    let fields = try graph.fieldIndices(in: data)
    var state = start ?? initialState()
    var optimizer = makeOptimizer(settings.optimizer)
    let parameters = graph.parameterBuffers().filter { buffer in
      !settings.frozen.contains { buffer.name.hasPrefix($0 + ".") }
    }
    // Clipping by the global norm needs every gradient before any update.
    let fusion =
      settings.clip == nil
      ? FusedUpdates.forTraining(executor: executor, parameters: parameters) : nil
    if state.optimizer.step > 0 || !state.optimizer.buffers.isEmpty {
      do {
        try optimizer.restore(state.optimizer, parameters: parameters)
      } catch {
        throw .missingField("optimizer state: \(error)")
      }
    }
    executor.random.words = state.dropoutRandom
    var order = EpochOrder(count: data.count, batchSize: settings.batch, shuffle: settings.shuffle)
    var shuffleRandom = Random(seed: 0)
    shuffleRandom.words = state.shuffleRandom
    var reports: [EpochReport] = []
    let runStart = clock()

    while state.epoch < settings.epochs {
      let epoch = state.epoch
      let rate = learningRate(
        for: settings.schedule, base: settings.optimizer.learningRate, epoch: epoch,
        epochs: settings.epochs)
      // The epoch's order comes from the generator as it was when the epoch began, so a resumed
      // epoch sees the same order.
      shuffleRandom.words = state.shuffleRandom
      order.startEpoch(random: &shuffleRandom)
      let epochStart = clock() - state.epochSeconds
      for step in state.step..<order.batchCount {
        let rows = order.batch(step)
        do {
          try graph.feed(data, fields: fields, rows: rows)
          try executor.forward(training: true)
        } catch {
          throw .execution(error, epoch: epoch + 1, step: step + 1)
        }
        let loss = Double(executor.value(of: graph.loss)[0])
        if let fusion {
          // The dense weights are updated during the backward pass (FusedUpdates), so the loss
          // is checked before it, and each weight-gradient block before it is applied.
          guard loss.isFinite else { throw diagnoseNonFinite(epoch: epoch + 1, step: step + 1) }
          let update = optimizer.beginPiecewiseStep(
            parameters: parameters, learningRate: Float(rate))
          var finite = true
          do {
            finite = try fusion.run(update) { () throws(ExecutionError) in
              try executor.backward()
            }
          } catch {
            throw .execution(error, epoch: epoch + 1, step: step + 1)
          }
          guard finite, Trainer.allFinite(fusion.others, pool: executor.pool) else {
            throw diagnoseNonFinite(epoch: epoch + 1, step: step + 1)
          }
          fusion.finish(update, parameters: parameters, pool: executor.pool)
        } else {
          do {
            try executor.backward()
          } catch {
            throw .execution(error, epoch: epoch + 1, step: step + 1)
          }
          var gradientsFinite = true
          if let clip = settings.clip {
            gradientsFinite =
              GradientClipping.clipGlobalNorm(parameters, maxNorm: Float(clip))
              .isFinite
          } else {
            gradientsFinite = Trainer.allFinite(parameters, pool: executor.pool)
          }
          if !loss.isFinite || !gradientsFinite {
            throw diagnoseNonFinite(epoch: epoch + 1, step: step + 1)
          }
          optimizer.step(parameters: parameters, learningRate: Float(rate), pool: executor.pool)
        }
        state.lossSum += loss
        if let accuracy = graph.accuracy {
          state.correct += Double(executor.value(of: accuracy)[0]) * Double(rows.count)
        }
        state.step = step + 1
        events(.progress(epoch: epoch + 1, step: step + 1, steps: order.batchCount, loss: loss))
        if shouldStop(), state.step < order.batchCount || epoch + 1 < settings.epochs {
          if state.step == order.batchCount {
            // The epoch's steps are done: finish it (validation, report) before stopping.
            break
          }
          state.dropoutRandom = executor.random.words
          state.optimizer = optimizer.state
          state.epochSeconds = clock() - epochStart
          return TrainingOutcome(reports: reports, state: state, interrupted: true)
        }
      }
      let now = clock()
      var report = EpochReport(
        epoch: epoch + 1, epochs: settings.epochs,
        loss: state.lossSum / Double(max(1, order.batchCount)),
        accuracy: graph.accuracy == nil ? nil : state.correct / Double(max(1, data.count)),
        examplesPerSecond: Double(data.count) / max(now - epochStart, 1e-9),
        seconds: now - runStart, learningRate: rate)
      if let validation {
        let result = try graph.evaluate(validation, batch: settings.batch)
        report.validationLoss = result.loss
        report.validationAccuracy = result.accuracy
      }
      report.seconds = clock() - runStart
      reports.append(report)
      events(.epochEnd(report))
      state.epoch += 1
      state.step = 0
      state.lossSum = 0
      state.correct = 0
      state.epochSeconds = 0
      state.shuffleRandom = shuffleRandom.words
      state.dropoutRandom = executor.random.words
      state.optimizer = optimizer.state

      if let patience = settings.patience, let validationLoss = report.validationLoss {
        if state.bestLoss.map({ validationLoss < $0 }) ?? true {
          state.bestLoss = validationLoss
          state.bestEpoch = epoch + 1
          state.bestWeights = snapshot()
        } else if epoch + 1 - state.bestEpoch >= patience {
          restore(state.bestWeights)
          events(.stoppedEarly(epoch: epoch + 1, bestEpoch: state.bestEpoch))
          state.epoch = settings.epochs
          return TrainingOutcome(reports: reports, state: state, interrupted: false)
        }
      }
      epochEnded(state)
      if shouldStop(), state.epoch < settings.epochs {
        return TrainingOutcome(reports: reports, state: state, interrupted: true)
      }
    }
    if state.bestLoss != nil, state.bestEpoch != state.epoch, !state.bestWeights.isEmpty {
      restore(state.bestWeights)
      events(.stoppedEarly(epoch: state.epoch, bestEpoch: state.bestEpoch))
    }
    return TrainingOutcome(reports: reports, state: state, interrupted: false)
  }

  /// Re-runs the failed step with finiteness checks on, to name the first bad node.
  func diagnoseNonFinite(epoch: Int, step: Int) -> TrainingError {
    let executor = graph.executor
    executor.checksFinite = true
    defer { executor.checksFinite = false }
    do {
      try executor.forward(training: true)
      try executor.backward()
    } catch .nonFinite(let node) {
      let inBackward = executor.graph.backwardStart.map { node >= $0 } ?? false
      return .nonFinite(epoch: epoch, step: step, node: node, inBackward: inBackward)
    } catch {
      return .execution(error, epoch: epoch, step: step)
    }
    return .nonFinite(epoch: epoch, step: step, node: nil, inBackward: false)
  }

  /// Whether every parameter gradient is finite; with a pool, each thread checks its slice of
  /// every gradient (the pass reads all of them: the NaN alarm's cost per step).
  static func allFinite(_ parameters: [ParameterBuffer], pool: WorkerPool? = nil) -> Bool {
    let parts = partCount(of: parameters, pool: pool)
    return withUnsafeTemporaryAllocation(of: Bool.self, capacity: parts) { finite in
      forEachPart(parts, pool: pool) { part, parts in
        let ok = parameters.allSatisfy { parameter in
          let range = Parallel.range(part: part, of: parts, total: parameter.gradient.count)
          guard !range.isEmpty, let base = parameter.gradient.baseAddress else { return true }
          return Reduction.allFinite(base + range.lowerBound, count: range.count)
        }
        finite.initializeElement(at: part, to: ok)
      }
      return !finite.prefix(parts).contains(false)
    }
  }

  func snapshot() -> [[Float]] {
    graph.executor.graph.parameters.indices.map {
      Array(graph.executor.parameterValue(ParameterID($0)))
    }
  }

  func restore(_ weights: [[Float]]) {
    for (index, values) in weights.enumerated() {
      let target = graph.executor.parameterValue(ParameterID(index))
      for i in 0..<min(target.count, values.count) { target[i] = values[i] }
    }
  }
}
