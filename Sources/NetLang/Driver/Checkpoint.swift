// Checkpoint: a training run saved so it can continue exactly. One safetensors file: the
// model's weights under their own names (so PyTorch's safetensors loads them as they are), the
// optimizer's state under "optimizer.*", early stopping's best weights under "best.*", and in
// the metadata the position (epoch, step), the generators, the running sums of a partly done
// epoch, and fingerprints of the architecture and of the training settings.

import NetLangGraph
import NetLangTensor
import NetLangTraining

/// A checkpoint as read from or written to disk.
struct Checkpoint {
  static let version = "1"

  var model: String
  /// Index of the train task among the file's tasks.
  var task: Int
  /// "name[shape]" of every parameter and buffer, in order.
  var architecture: [String]
  /// Training settings as key=value pairs (see `Checkpoint.settings(_:data:)`).
  var settings: [String: String]
  var state: TrainingState
  /// Weights and buffers by name.
  var weights: [NamedTensor]

  /// The architecture fingerprint of a compiled graph.
  static func architecture(of graph: Graph) -> [String] {
    graph.parameters.map { "\($0.name)\($0.shape)" }
  }

  /// The settings that identify a run; those in `adjustable` may change on resume.
  static func settings(_ settings: TrainingSettings, data: String) -> [String: String] {
    var values: [String: String] = [
      "data": data, "batch": String(settings.batch), "seed": String(settings.seed),
      "shuffle": String(settings.shuffle), "epochs": String(settings.epochs),
      "lr": String(settings.optimizer.learningRate), "schedule": "\(settings.schedule)",
      "patience": settings.patience.map(String.init) ?? "none",
      "clip": settings.clip.map { String($0) } ?? "none",
      "freeze": settings.frozen.joined(separator: ","),
    ]
    switch settings.optimizer {
    case .sgd(let sgd):
      values["optimizer"] =
        "sgd(momentum: \(sgd.momentum), dampening: \(sgd.dampening), "
        + "weight_decay: \(sgd.weightDecay), nesterov: \(sgd.nesterov))"
    case .adam(let adam):
      values["optimizer"] =
        "adam(beta1: \(adam.beta1), beta2: \(adam.beta2), eps: \(adam.epsilon), "
        + "weight_decay: \(adam.weightDecay))"
    }
    return values
  }

  /// Settings a user may change on purpose when resuming (reported, not refused).
  static let adjustable: Set<String> = ["epochs", "lr", "schedule", "patience", "clip", "freeze"]

  // MARK: Encoding

  func encode() -> (tensors: [NamedTensor], metadata: [String: String]) {
    var tensors = weights
    tensors += state.optimizer.namedTensors(prefix: "optimizer.")
    for (index, values) in state.bestWeights.enumerated() where index < weights.count {
      tensors.append(
        NamedTensor(
          name: "best." + weights[index].name, shape: weights[index].shape, values: values))
    }
    var metadata: [String: String] = [
      "format": "pt", "netlang.checkpoint": Checkpoint.version, "netlang.model": model,
      "netlang.task": String(task), "netlang.architecture": architecture.joined(separator: ";"),
      "netlang.epoch": String(state.epoch), "netlang.step": String(state.step),
      "netlang.shuffle_random": Checkpoint.hex(state.shuffleRandom),
      "netlang.dropout_random": Checkpoint.hex(state.dropoutRandom),
      "netlang.loss_sum": Checkpoint.hex([state.lossSum.bitPattern]),
      "netlang.correct": Checkpoint.hex([state.correct.bitPattern]),
      "netlang.epoch_seconds": String(state.epochSeconds),
      "netlang.best_epoch": String(state.bestEpoch),
    ]
    if let best = state.bestLoss {
      metadata["netlang.best_loss"] = Checkpoint.hex([best.bitPattern])
    }
    for (key, value) in settings { metadata["netlang.settings." + key] = value }
    for (key, value) in state.optimizer.metadata { metadata[key] = value }
    return (tensors, metadata)
  }

  /// Reads a checkpoint; a file that is not one (or of another version) is a DataError.
  static func decode(
    _ contents: SafeTensorsContents, path: String
  ) throws(DataError) -> Checkpoint {
    let metadata = contents.metadata
    guard let version = metadata["netlang.checkpoint"] else {
      throw DataError(
        path: path,
        message:
          "not a netlang checkpoint (no 'netlang.checkpoint' metadata); to start from plain weights use --load"
      )
    }
    guard version == Checkpoint.version else {
      throw DataError(
        path: path,
        message:
          "checkpoint version \(version) is not supported (this netlang reads version \(Checkpoint.version))"
      )
    }
    func field(_ key: String) throws(DataError) -> String {
      guard let value = metadata[key] else {
        throw DataError(path: path, message: "checkpoint is missing '\(key)'")
      }
      return value
    }
    func integer(_ key: String) throws(DataError) -> Int {
      guard let value = Int(try field(key)), value >= 0 else {
        throw DataError(path: path, message: "checkpoint has a bad '\(key)'")
      }
      return value
    }
    func words(_ key: String, count: Int) throws(DataError) -> [UInt64] {
      guard let values = Checkpoint.words(try field(key)), values.count == count else {
        throw DataError(path: path, message: "checkpoint has a bad '\(key)'")
      }
      return values
    }
    var state = TrainingState(
      shuffleRandom: try words("netlang.shuffle_random", count: 4),
      dropoutRandom: try words("netlang.dropout_random", count: 4))
    state.epoch = try integer("netlang.epoch")
    state.step = try integer("netlang.step")
    state.lossSum = Double(bitPattern: try words("netlang.loss_sum", count: 1)[0])
    state.correct = Double(bitPattern: try words("netlang.correct", count: 1)[0])
    state.epochSeconds = Double(metadata["netlang.epoch_seconds"] ?? "0") ?? 0
    state.bestEpoch = try integer("netlang.best_epoch")
    if metadata["netlang.best_loss"] != nil {
      state.bestLoss = Double(bitPattern: try words("netlang.best_loss", count: 1)[0])
    }
    state.optimizer = try OptimizerState(
      tensors: contents.tensors, metadata: metadata, prefix: "optimizer.", path: path)
    let weights = contents.tensors.filter {
      !$0.name.hasPrefix("optimizer.") && !$0.name.hasPrefix("best.")
    }
    let architecture = try field("netlang.architecture").split(separator: ";").map(String.init)
    let names = architecture.map { entry in String(entry.prefix { $0 != "[" }) }
    let best = Dictionary(
      contents.tensors.filter { $0.name.hasPrefix("best.") }.map {
        (String($0.name.dropFirst(5)), $0.values)
      },
      uniquingKeysWith: { first, _ in first })
    if !best.isEmpty { state.bestWeights = names.map { best[$0] ?? [] } }
    var settings: [String: String] = [:]
    for (key, value) in metadata where key.hasPrefix("netlang.settings.") {
      settings[String(key.dropFirst("netlang.settings.".count))] = value
    }
    return Checkpoint(
      model: try field("netlang.model"), task: try integer("netlang.task"),
      architecture: architecture, settings: settings, state: state, weights: weights)
  }

  static func hex(_ words: [UInt64]) -> String {
    words.map { word in
      let text = String(word, radix: 16)
      return String(repeating: "0", count: 16 - text.count) + text
    }.joined(separator: ",")
  }

  static func words(_ text: String) -> [UInt64]? {
    let parts = text.split(separator: ",")
    let values = parts.compactMap { UInt64($0, radix: 16) }
    return values.count == parts.count ? values : nil
  }
}
