// PaperTaskChecks: the tasks of Hinton & Salakhutdinov (2006): `pretrain` (greedy RBM training of
// an encoder's dense layers) and `compare` (reconstructions against PCA's). grammar.md 7.6-7.7.

import NetLangTensor
import NetLangTraining

extension Checker {
  /// `pretrain Model on data { epochs, batch, lr, code_lr, momentum, ... }`.
  mutating func checkPretrain(
    _ task: TaskDecl, model: CheckedModel, data: CheckedData, settings: [String: Setting]
  ) -> CheckedTask? {
    guard let first = model.inputs.first, case .input(let inputName) = model[first].op else {
      return nil
    }
    let layers = encoderStack(of: model)
    guard !layers.isEmpty else {
      report(SemanticDiagnostics.noEncoder(model: model.name, at: task.model.span))
      return nil
    }
    func number(_ name: String, _ kind: ParameterKind, _ fallback: Double) -> Double {
      settingValue(settings, name, kind, task: "pretrain")?.number ?? fallback
    }
    func whole(_ name: String, minimum: Int, _ fallback: Int) -> Int {
      settingValue(settings, name, .whole(minimum: minimum), task: "pretrain")?.integer ?? fallback
    }
    return .pretrain(
      PretrainTask(
        model: model.name, data: data.name, input: inputName, layers: layers,
        epochs: whole("epochs", minimum: 1, 10), batch: whole("batch", minimum: 1, 100),
        learningRate: number("lr", .positive, 0.1),
        gaussianLearningRate: number("code_lr", .positive, 0.001),
        momentum: number("momentum", .nonNegative, 0.9),
        initialMomentum: number("initial_momentum", .nonNegative, 0.5),
        momentumEpochs: whole("momentum_epochs", minimum: 0, 5),
        weightDecay: number("weight_decay", .nonNegative, 0.0002),
        gibbsSteps: whole("k", minimum: 1, 1), seed: UInt64(whole("seed", minimum: 0, 0)),
        span: task.span))
  }

  /// The dense layers fed, one after another, from the model's first input: each followed by a
  /// sigmoid is an RBM with logistic hidden units; the first one without (the code layer) has
  /// Gaussian linear hidden units and ends the stack, as does a `mirror` decoder layer.
  func encoderStack(of model: CheckedModel) -> [PretrainLayer] {
    guard let first = model.inputs.first else { return [] }
    var consumers: [NodeRef: [NodeRef]] = [:]
    for (index, node) in model.nodes.enumerated() {
      for input in node.inputs { consumers[input, default: []].append(NodeRef(index)) }
    }
    var layers: [PretrainLayer] = []
    var current = first
    while true {
      // Step over reshapes (flatten) between layers.
      let next = consumers[current] ?? []
      if next.count == 1, case .flatten = model[next[0]].op {
        current = next[0]
        continue
      }
      let encoderLayer = next.first { ref in
        guard case .dense(_, _, let initializer) = model[ref].op else { return false }
        if case .mirrorOf = initializer { return false }
        return true
      }
      guard let dense = encoderLayer, let layer = model[dense].layerName else { break }
      let visible = model[current].shape.dimensions.last ?? 1
      let hidden = model[dense].shape.dimensions.last ?? 1
      let after = consumers[dense] ?? []
      if let sigmoid = after.first(where: { model[$0].op == .sigmoid }) {
        layers.append(
          PretrainLayer(layer: layer, visible: visible, hidden: hidden, gaussian: false))
        current = sigmoid
      } else {
        layers.append(PretrainLayer(layer: layer, visible: visible, hidden: hidden, gaussian: true))
        break
      }
    }
    return layers
  }

  /// `compare Model on data { pca = 30, fit = train_data, images = 10, codes = "code" }`.
  mutating func checkCompare(
    _ task: TaskDecl, model: CheckedModel, data: CheckedData, settings: [String: Setting]
  ) -> CheckedTask? {
    guard let first = model.inputs.first, case .input(let inputName) = model[first].op,
      let output = model.outputs.first
    else { return nil }
    if model[output.node].shape.elementCount != model[first].shape.elementCount {
      report(
        SemanticDiagnostics.compareNeedsReconstruction(
          model: model.name, input: model[first].shape, output: model[output.node].shape,
          at: task.model.span))
      return nil
    }
    let components =
      settingValue(settings, "pca", .whole(minimum: 1), task: "compare")?.integer ?? 30
    let images =
      settingValue(settings, "images", .whole(minimum: 0), task: "compare")?.integer ?? 10
    var fit = data.name
    if case .dataSet(let index) = settingValue(settings, "fit", .dataSet, task: "compare") {
      fit = dataSets[index].name
    }
    var codes: String? = nil
    if case .string(let name) = settingValue(settings, "codes", .string, task: "compare") {
      guard let binding = model.bindings.last(where: { $0.name == name }) else {
        report(
          SemanticDiagnostics.unknownName(
            name, at: settings["codes"]?.value.span ?? task.span,
            suggestion: suggestion(for: name, among: model.bindings.map(\.name))))
        return nil
      }
      if model[binding.node].shape.elementCount != 2 {
        report(
          SemanticDiagnostics.codesNotTwoDimensional(
            name, shape: model[binding.node].shape, at: settings["codes"]?.value.span ?? task.span))
        return nil
      }
      codes = name
    }
    return .compare(
      CompareTask(
        model: model.name, data: data.name, fit: fit, components: components, input: inputName,
        output: output.name, images: images, codes: codes, span: task.span))
  }
}
