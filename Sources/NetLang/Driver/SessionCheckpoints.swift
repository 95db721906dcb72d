// SessionCheckpoints: where a run's files go, and writing, rotating and resuming from
// checkpoints (`--checkpoint`, `--checkpoint-every`, `--keep`, `--resume`).

import Foundation
import NetLangGraph
import NetLangTensor
import NetLangTraining

extension Session {
  /// The folder a run writes into: `--out`, else `out` beside the `.net` file.
  var outputFolder: String {
    if let out = options.out { return out }
    let directory = (sourcePath as NSString).deletingLastPathComponent
    return directory.isEmpty ? "out" : directory + "/out"
  }

  /// `--checkpoint`, else `<out>/<model>.checkpoint.safetensors`.
  func checkpointPath(for model: String) -> String {
    options.checkpoint ?? outputFolder + "/\(model).checkpoint.safetensors"
  }

  /// Creates the folder of `path` if needed.
  func prepareFolder(for path: String) throws(RunFailure) {
    let folder = (path as NSString).deletingLastPathComponent
    guard !folder.isEmpty else { return }
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      console.writeError("netlang: error[E0505]: cannot create the folder '\(folder)'\n")
      throw RunFailure(status: .runtimeFailure)
    }
  }

  /// Writes a checkpoint of `executor` and `state` atomically.
  func writeCheckpoint(
    _ state: TrainingState, task: TrainTask, index: Int, settings: TrainingSettings,
    executor: Executor, to path: String
  ) throws(RunFailure) {
    try prepareFolder(for: path)
    let checkpoint = Checkpoint(
      model: task.model, task: index, architecture: Checkpoint.architecture(of: executor.graph),
      settings: Checkpoint.settings(settings, data: task.data), state: state,
      weights: weightTensors(executor, steps: state.optimizer.step))
    let (tensors, metadata) = checkpoint.encode()
    do {
      AtomicFile.removeStaleTemporaries(for: path)
      try SafeTensors.write(tensors, metadata: metadata, to: path)
    } catch {
      console.writeError("netlang: error[E0505]: cannot write the checkpoint: \(error)\n")
      throw RunFailure(status: .runtimeFailure)
    }
  }

  /// The weights and buffers of an executor as named tensors.
  ///
  /// Each batchnorm layer also gets PyTorch's `num_batches_tracked` (the training steps taken,
  /// `steps`), so `load_state_dict(strict=True)` accepts the file; netlang ignores it on load.
  func weightTensors(_ executor: Executor, steps: Int) -> [NamedTensor] {
    var tensors: [NamedTensor] = []
    for (index, parameter) in executor.graph.parameters.enumerated() {
      tensors.append(
        NamedTensor(
          name: parameter.name, shape: parameter.shape.dimensions,
          values: Array(executor.parameterValue(ParameterID(index)))))
      if parameter.name.hasSuffix(".running_var") {
        let layer = parameter.name.dropLast(".running_var".count)
        tensors.append(
          NamedTensor(name: layer + ".num_batches_tracked", shape: [], values: [Float(steps)]))
      }
    }
    return tensors
  }

  /// After an epoch: `--checkpoint-every N` writes `PATH.epoch-E` (keeping the last `--keep`)
  /// and `PATH.best` when the validation loss is the best so far.
  func periodicCheckpoint(
    _ state: TrainingState, task: TrainTask, index: Int, settings: TrainingSettings,
    executor: Executor, path: String, validationLoss: Double?
  ) {
    guard let every = options.checkpointEvery, every > 0 else { return }
    if let loss = validationLoss, loss < bestValidationLoss {
      bestValidationLoss = loss
      try? writeCheckpoint(
        state, task: task, index: index, settings: settings, executor: executor,
        to: path + ".best")
    }
    guard state.epoch % every == 0 else { return }
    try? writeCheckpoint(
      state, task: task, index: index, settings: settings, executor: executor,
      to: path + ".epoch-\(state.epoch)")
    let stale = state.epoch - every * max(1, options.keep)
    if stale > 0 { try? FileManager.default.removeItem(atPath: path + ".epoch-\(stale)") }
  }

  /// The checkpoint named by `--resume`, checked against the program; nil without `--resume`.
  func readResumeCheckpoint() throws(RunFailure) -> Checkpoint? {
    guard let path = options.resume else { return nil }
    let checkpoint: Checkpoint
    do {
      checkpoint = try Checkpoint.decode(SafeTensors.readContents(path), path: path)
    } catch {
      console.writeError("netlang: error[E0503]: cannot resume: \(error)\n")
      throw RunFailure(status: .runtimeFailure)
    }
    guard checkpoint.task < program.tasks.count,
      case .train(let task) = program.tasks[checkpoint.task], task.model == checkpoint.model
    else {
      console.writeError(
        "netlang: error[E0503]: cannot resume: \(path) holds a run of model "
          + "'\(checkpoint.model)' (task \(checkpoint.task + 1)), which this file does not "
          + "train at that place\n")
      throw RunFailure(status: .runtimeFailure)
    }
    return checkpoint
  }

  /// Loads a checkpoint into `executor` after checking architecture and settings; returns the
  /// state to continue from.
  func restore(
    _ checkpoint: Checkpoint, into executor: Executor, task: TrainTask,
    settings: TrainingSettings
  ) throws(RunFailure) -> TrainingState {
    let path = options.resume ?? ""
    let architecture = Checkpoint.architecture(of: executor.graph)
    if architecture != checkpoint.architecture {
      let added = architecture.filter { !checkpoint.architecture.contains($0) }
      let removed = checkpoint.architecture.filter { !architecture.contains($0) }
      var message =
        "netlang: error[E0503]: cannot resume: the architecture of "
        + "\(task.model) changed since \(path) was written\n"
      if !removed.isEmpty {
        message += "  in the checkpoint only: \(removed.joined(separator: ", "))\n"
      }
      if !added.isEmpty { message += "  in the file only: \(added.joined(separator: ", "))\n" }
      console.writeError(message)
      throw RunFailure(status: .runtimeFailure)
    }
    let current = Checkpoint.settings(settings, data: task.data)
    var refused: [String] = []
    var changed: [String] = []
    for key in Set(current.keys).union(checkpoint.settings.keys).sorted() {
      let before = checkpoint.settings[key] ?? "none"
      let now = current[key] ?? "none"
      guard before != now else { continue }
      let line = "\(key): \(before) → \(now)"
      if Checkpoint.adjustable.contains(key) { changed.append(line) } else { refused.append(line) }
    }
    if !refused.isEmpty {
      console.writeError(
        "netlang: error[E0503]: cannot resume: settings changed since \(path) was written "
          + "(resuming would not continue the same run):\n"
          + refused.map { "  \($0)\n" }.joined())
      throw RunFailure(status: .runtimeFailure)
    }
    if !changed.isEmpty, !options.quiet {
      console.write("resuming with changed settings:\n" + changed.map { "  \($0)\n" }.joined())
    }
    for tensor in checkpoint.weights {
      guard let target = executor.parameterValue(named: tensor.name),
        target.count == tensor.values.count
      else { continue }
      for i in 0..<target.count { target[i] = tensor.values[i] }
    }
    return checkpoint.state
  }
}
