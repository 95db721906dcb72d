// PaperTasks: running `pretrain` (greedy RBM pretraining of an encoder, then unrolling into
// the decoder) and `compare` (reconstruction error against PCA, the picture of Fig. 2 and the
// code scatter of Fig. 3 of Hinton & Salakhutdinov 2006).

import Foundation
import NetLangGraph
import NetLangTensor
import NetLangTraining

extension Session {
  // MARK: pretrain

  func pretrain(_ task: PretrainTask) throws(RunFailure) {
    let data = try dataset(task.data)
    guard let values = data.values(named: task.input), let first = task.layers.first,
      values.count == data.count * first.visible
    else {
      throw fail(
        .invalidData,
        "data '\(task.data)' has no field '\(task.input)' of \(task.layers.first?.visible ?? 0) values",
        at: task.span)
    }
    let (loss, lossData) = trainLoss(of: task.model)
    let model = try compiledModel(
      task.model, loss: loss, data: lossData, backward: loss != nil)
    var random = Random(seed: options.seed ?? task.seed)
    var input = values
    var visibleBiases: [String: [Float]] = [:]
    let monitor = min(data.count, 1000)
    for (index, layer) in task.layers.enumerated() {
      let units: RBM.HiddenUnits = layer.gaussian ? .gaussian : .bernoulli
      var rbm = RBM(
        visibleCount: layer.visible, hiddenCount: layer.hidden, hiddenUnits: units,
        random: &random)
      let schedule = RBMSchedule(
        epochs: options.epochs ?? task.epochs, batchSize: options.batch ?? task.batch,
        learningRate: Float(layer.gaussian ? task.gaussianLearningRate : task.learningRate),
        initialMomentum: Float(task.initialMomentum), finalMomentum: Float(task.momentum),
        momentumSwitchEpochs: task.momentumEpochs, weightDecay: Float(task.weightDecay),
        gibbsSteps: task.gibbsSteps)
      if !options.quiet {
        console.write(
          "pretrain \(task.model) layer \(index + 1)/\(task.layers.count) '\(layer.layer)': RBM "
            + "\(layer.visible) → \(layer.hidden) (\(layer.gaussian ? "linear Gaussian" : "logistic") "
            + "hidden units), CD-\(task.gibbsSteps), \(schedule.epochs) epochs\n")
      }
      var order = EpochOrder(count: data.count, batchSize: schedule.batchSize, shuffle: true)
      let started = elapsed
      for epoch in 0..<schedule.epochs {
        let error = rbm.trainEpoch(
          data: input, count: data.count, epoch: epoch, schedule: schedule, order: &order,
          random: &random, pool: pool)
        let sample = Array(input.prefix(monitor * layer.visible))
        let energy = rbm.freeEnergy(data: sample, count: monitor, pool: pool)
        guard error.isFinite else {
          throw fail(
            .nonFiniteValue,
            "pretraining diverged: layer '\(layer.layer)' epoch \(epoch + 1) gave a non-finite "
              + "reconstruction error", at: task.span,
            notes: [.help("lower 'lr' (or 'code_lr' for the linear code layer)")])
        }
        if !options.quiet {
          console.write(
            "  epoch \(epoch + 1)/\(schedule.epochs)  reconstruction error "
              + "\(EpochLine.format(error))  free energy \(EpochLine.format(energy))  "
              + String(format: "%.1fs", elapsed - started) + "\n")
        }
        log.write([
          ("event", .string("pretrain")), ("model", .string(task.model)),
          ("layer", .string(layer.layer)), ("epoch", .integer(epoch + 1)),
          ("reconstruction_error", .number(error)), ("free_energy", .number(energy)),
        ])
      }
      // Unroll into the model: encoder weights and hidden biases; the decoder later gets Wᵀ
      // and the visible biases.
      copy(rbm.weights, to: layer.layer + ".weight", in: model.executor)
      copy(rbm.hiddenBias, to: layer.layer + ".bias", in: model.executor)
      visibleBiases[layer.layer] = rbm.visibleBias
      if index == 0 { try writeFilters(rbm, model: task.model, layer: layer.layer) }
      if index + 1 < task.layers.count {
        input = rbm.hiddenProbabilities(visible: input, count: data.count, pool: pool)
      }
    }
    model.lowered.unrollMirrors(in: model.executor, visibleBias: visibleBiases)
    if !options.quiet, !model.lowered.mirrors.isEmpty {
      console.write(
        "unrolled \(model.lowered.mirrors.count) decoder layers from the pretrained encoder\n")
    }
  }

  /// The loss and data of the model's first train task.
  func trainLoss(of model: String) -> (LossSpec?, String?) {
    let train = program.trainTask(of: model)
    return (train?.loss, train?.data)
  }

  func copy(_ values: [Float], to name: String, in executor: Executor) {
    guard let target = executor.parameterValue(named: name), target.count == values.count else {
      return
    }
    for i in 0..<target.count { target[i] = values[i] }
  }

  /// The first RBM's filters (up to 100 hidden units' weights as square images) as a PNG.
  func writeFilters(_ rbm: RBM, model: String, layer: String) throws(RunFailure) {
    let side = Int(Double(rbm.visibleCount).squareRoot().rounded())
    guard side * side == rbm.visibleCount else { return }
    let shown = min(rbm.hiddenCount, 100)
    var tiles: [[Float]] = []
    for unit in 0..<shown {
      let row = Array(rbm.weights[unit * rbm.visibleCount..<(unit + 1) * rbm.visibleCount])
      let low = row.min() ?? 0
      let high = row.max() ?? 1
      let range = max(high - low, 1e-12)
      tiles.append(row.map { ($0 - low) / range })
    }
    let perRow = 10
    let rows = stride(from: 0, to: tiles.count, by: perRow).map {
      Array(tiles[$0..<min($0 + perRow, tiles.count)])
    }
    let image = ImageGrid(tileWidth: side, tileHeight: side).render(rows: rows)
    try writeFile(
      image.png(), to: outputFolder + "/\(model).\(layer).filters.png",
      what: "the filters of '\(layer)'")
  }

  // MARK: compare

  func compare(_ task: CompareTask) throws(RunFailure) {
    let test = try dataset(task.data)
    let fitData = try dataset(task.fit)
    guard let checked = program.model(named: task.model),
      let testInput = test.values(named: task.input),
      let fitInput = fitData.values(named: task.input)
    else {
      throw fail(.invalidData, "the data has no field '\(task.input)'", at: task.span)
    }
    let dimension = testInput.count / max(1, test.count)
    // A forward-only copy of the model that also exposes the code binding.
    var extra: [String: NodeRef] = [:]
    if let codes = task.codes, let binding = checked.bindings.last(where: { $0.name == codes }) {
      extra["codes:" + codes] = binding.node
    }
    let current = try currentModel(task.model)
    let lowered: LoweredModel
    do {
      lowered = try Lowering.lower(checked, extraOutputs: extra)
    } catch {
      throw fail(.loweringFailed, error.message, at: error.span)
    }
    let executor = Executor(graph: lowered.graph, maxBatch: 100, pool: pool)
    Session.copyWeights(from: current.executor, to: executor)
    let outputs = [task.output] + extra.keys.sorted()
    let results: [[Float]]
    do {
      results = try forwardAll(
        executor, graph: lowered.graph, model: checked, data: test, outputs: outputs)
    } catch {
      throw fail(
        .invalidData, "cannot run \(task.model) on '\(task.data)': \(error)", at: task.span)
    }
    let reconstructions = results[0]
    var modelError = 0.0
    for i in 0..<min(testInput.count, reconstructions.count) {
      let difference = Double(testInput[i]) - Double(reconstructions[i])
      modelError += difference * difference
    }
    modelError /= Double(max(1, test.count))

    let pca: PCAModel
    do {
      pca = try PCA.fit(
        data: fitInput, count: fitData.count, dimension: dimension,
        components: min(task.components, dimension), pool: pool)
    } catch {
      throw fail(.invalidData, "cannot fit PCA: \(error)", at: task.span)
    }
    let pcaError = pca.reconstructionError(data: testInput, count: test.count, pool: pool)
    console.write(
      "compare \(task.model) on \(task.data) (\(test.count) examples): squared reconstruction "
        + "error per example\n"
        + "  \(task.model.padding(to: max(task.model.count, 12)))  \(EpochLine.format(modelError))\n"
        + "  \("PCA (\(task.components))".padding(to: max(task.model.count, 12)))  "
        + "\(EpochLine.format(pcaError))\n"
        + "  ratio \(String(format: "%.3f", modelError / max(pcaError, 1e-12)))\n")
    log.write([
      ("event", .string("compare")), ("model", .string(task.model)), ("data", .string(task.data)),
      ("components", .integer(task.components)), ("model_error", .number(modelError)),
      ("pca_error", .number(pcaError)),
    ])

    // Fig. 2: originals, the model's reconstructions, PCA's.
    let side = Int(Double(dimension).squareRoot().rounded())
    if task.images > 0, side * side == dimension {
      let shown = min(task.images, test.count)
      let originals = Array(testInput.prefix(shown * dimension))
      let pcaImages = pca.reconstruct(originals, count: shown, pool: pool)
      let image = ImageGrid(tileWidth: side, tileHeight: side).render(
        flatRows: [originals, Array(reconstructions.prefix(shown * dimension)), pcaImages],
        count: shown, labels: ["original", task.model, "PCA \(task.components)"])
      try writeFile(
        image.png(), to: outputFolder + "/\(task.model).reconstructions.png",
        what: "the reconstructions")
    }
    // Fig. 3: 2-D codes beside the first two principal components, coloured by label.
    if let codes = task.codes, results.count > 1 {
      let labels = test.values(named: "label") ?? []
      let points = results[1]
      let modelPoints = (0..<test.count).map { i in
        (
          x: Double(points[2 * i]), y: Double(points[2 * i + 1]),
          class: i < labels.count ? Int(labels[i]) : 0
        )
      }
      let pca2: PCAModel
      if let kept = pca.keeping(components: 2) {
        pca2 = kept
      } else {
        do {
          pca2 = try PCA.fit(
            data: fitInput, count: fitData.count, dimension: dimension, components: 2)
        } catch {
          throw fail(.invalidData, "cannot fit PCA: \(error)", at: task.span)
        }
      }
      let projected = pca2.encode(testInput, count: test.count, pool: pool)
      let pcaPoints = (0..<test.count).map { i in
        (
          x: Double(projected[2 * i]), y: Double(projected[2 * i + 1]),
          class: i < labels.count ? Int(labels[i]) : 0
        )
      }
      let svg = SVGPlot.sideBySide(
        [("\(task.model): '\(codes)'", modelPoints), ("PCA: first two components", pcaPoints)],
        title: "2-D codes of \(task.data)")
      try writeFile(
        Array(svg.utf8), to: outputFolder + "/\(task.model).codes.svg", what: "the code scatter")
    }
  }

  /// Every example of `data` through the model; the values of each named output, example-major.
  func forwardAll(
    _ executor: Executor, graph: Graph, model: CheckedModel, data: Dataset, outputs: [String]
  ) throws -> [[Float]] {
    let nodes = outputs.compactMap { graph.output($0) }
    var results = nodes.map { _ in [Float]() }
    var feeds: [(String, Int)] = []
    for ref in model.inputs {
      if case .input(let name) = model[ref].op, let field = data.fieldIndex(named: name) {
        feeds.append((name, field))
      }
    }
    var start = 0
    while start < data.count {
      let rows = Array(start..<min(start + executor.plan.maxBatch, data.count))
      try executor.setBatchSize(rows.count)
      for (name, field) in feeds {
        let buffer = try executor.inputBuffer(name)
        if let base = buffer.baseAddress { data.gather(field: field, indices: rows, into: base) }
      }
      try executor.forward(training: false, computing: nodes)
      for (index, node) in nodes.enumerated() { results[index] += executor.value(of: node) }
      start += rows.count
    }
    return results
  }
}

extension String {
  fileprivate func padding(to width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }
}
