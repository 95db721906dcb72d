// Lowering: CheckedModel → Graph. Each checked node becomes one or a few graph nodes
// (layers bring their parameters, with PyTorch names and layouts); the loss and accuracy of a
// task are appended; Autodiff adds the backward pass. A source map keeps every graph node's
// origin so runtime errors point at the line that made the op.

import NetLangGraph
import NetLangTensor

/// A model lowered to a graph, with what the runtime needs to feed and read it.
public struct LoweredModel: Sendable {
  public var graph: Graph
  /// For forward nodes: the span of the checked node (call or operator) that made them.
  public var sourceMap: [NodeID: SourceSpan]
  /// Output name → node.
  public var outputs: [String: NodeID]
  /// The scalar loss node, when lowered with a loss.
  public var loss: NodeID?
  /// The accuracy node, when the loss has class labels.
  public var accuracy: NodeID?
  /// Names of the graph's input nodes; each is fed from the data field of the same name.
  public var inputNames: [String]
  /// Decoder layers made by `mirror`, with the encoder layer each starts as the transpose of.
  public var mirrors: [(decoder: String, encoder: String)] = []

  /// The source span of a node, or of the nearest forward node it was derived from.
  public func span(of node: NodeID) -> SourceSpan? {
    if let span = sourceMap[node] { return span }
    // Backward nodes: the call whose gradient they compute, if it has a span.
    if let origin = graph.backwardOrigin[node], let span = sourceMap[origin] { return span }
    // Otherwise walk inputs to the first forward node with a span.
    var frontier = graph[node].inputs
    var seen = Set<NodeID>()
    while let next = frontier.popLast() {
      guard seen.insert(next).inserted else { continue }
      if let span = sourceMap[next] { return span }
      frontier += graph[next].inputs
    }
    return nil
  }
}

/// A graph that cannot be built from a checked model: an internal inconsistency, reported
/// with the span of the node concerned.
public struct LoweringError: Error, Equatable, Sendable {
  public var message: String
  public var span: SourceSpan
}

/// Lowers checked models.
public enum Lowering {
  /// Builds the graph of `model`; with a loss, appends the loss (and accuracy for class
  /// labels) and, when `backward` is true, the backward pass.
  /// - Parameters:
  ///   - targetShape: the per-example shape of the loss's target field.
  public static func lower(
    _ model: CheckedModel, loss: LossSpec? = nil, targetShape: Shape? = nil,
    targetIsClass: Bool = false, backward: Bool = false, extraOutputs: [String: NodeRef] = [:]
  ) throws(LoweringError) -> LoweredModel {
    var builder = GraphBuilder()
    var map: [NodeRef: NodeID] = [:]
    var sourceMap: [NodeID: SourceSpan] = [:]
    var inputNames: [String] = []

    for (index, node) in model.nodes.enumerated() {
      let ref = NodeRef(index)
      let first = builder.graph.nodes.count
      let id: NodeID
      do {
        id = try lowerNode(node, inputs: node.inputs.compactMap { map[$0] }, into: &builder)
      } catch {
        throw LoweringError(message: "cannot lower: \(error)", span: node.span)
      }
      if case .input(let name) = node.op { inputNames.append(name) }
      for created in first..<builder.graph.nodes.count {
        sourceMap[NodeID(created)] = node.span
      }
      let lowered = builder.graph[id]
      if lowered.shape.elementCount != node.shape.elementCount {
        throw LoweringError(
          message: "internal: lowered shape \(lowered.shape) differs from checked \(node.shape)",
          span: node.span)
      }
      map[ref] = id
    }
    var outputs: [String: NodeID] = [:]
    for (name, ref) in extraOutputs.sorted(by: { $0.key < $1.key }) {
      guard let id = map[ref] else { continue }
      builder.setOutput(name, id)
      outputs[name] = id
    }
    for output in model.outputs {
      guard let id = map[output.node] else { continue }
      builder.setOutput(output.name, id)
      outputs[output.name] = id
    }

    var lossNode: NodeID?
    var accuracyNode: NodeID?
    if let loss, let prediction = outputs[loss.output] {
      do {
        let target: NodeID
        if let existing = builder.graph.input(named: loss.target) {
          target = existing
        } else {
          target = builder.input(loss.target, shape: targetShape ?? [])
          inputNames.append(loss.target)
        }
        let first = builder.graph.nodes.count
        switch loss.kind {
        case .mse: lossNode = try builder.mse(prediction, target)
        case .crossEntropy: lossNode = try builder.crossEntropy(prediction, target)
        case .bce: lossNode = try builder.bce(prediction, target)
        }
        if let lossNode { builder.setOutput("loss", lossNode) }
        if loss.kind == .crossEntropy || targetIsClass {
          let accuracy = try builder.accuracy(prediction, target)
          builder.setOutput("accuracy", accuracy)
          accuracyNode = accuracy
        }
        for created in first..<builder.graph.nodes.count {
          sourceMap[NodeID(created)] = loss.span
        }
      } catch {
        throw LoweringError(message: "cannot lower the loss: \(error)", span: loss.span)
      }
    }

    var graph = builder.graph
    if backward, let lossNode {
      do {
        try Autodiff.appendBackward(to: &graph, loss: lossNode)
      } catch {
        throw LoweringError(message: "cannot differentiate: \(error)", span: model.span)
      }
    }
    var lowered = LoweredModel(
      graph: graph, sourceMap: sourceMap, outputs: outputs, loss: lossNode,
      accuracy: accuracyNode, inputNames: inputNames)
    for node in model.nodes {
      if case .dense(_, _, .mirrorOf(let encoder)) = node.op, let decoder = node.layerName {
        lowered.mirrors.append((decoder, encoder))
      }
    }
    return lowered
  }

  /// Appends the graph nodes of one checked node; returns the node holding its value.
  static func lowerNode(
    _ node: CheckedNode, inputs: [NodeID], into builder: inout GraphBuilder
  ) throws(GraphError) -> NodeID {
    let x = inputs.first ?? NodeID(0)
    let name = node.layerName ?? "layer"
    switch node.op {
    case .input(let inputName):
      return builder.input(inputName, shape: node.shape)
    case .constant(let value):
      return builder.constant(value)
    case .dense(let units, let bias, let initializer):
      let fanIn = builder.graph[x].shape.dimensions.last ?? 1
      let (weight, biasInit) = initializers(initializer, fanIn: fanIn, fanOut: units)
      return try builder.dense(
        x, units: units, name: name, bias: bias, weightInit: weight, biasInit: biasInit)
    case .conv2d(let filters, let window, let bias, let initializer):
      let channels = builder.graph[x].shape.dimensions.first ?? 1
      let area = window.kernel.0 * window.kernel.1
      let (weight, biasInit) = initializers(
        initializer, fanIn: channels * area, fanOut: filters * area)
      return try builder.conv2d(
        x, filters: filters, window: window2D(window), name: name, bias: bias,
        weightInit: weight, biasInit: biasInit)
    case .maxpool(let window):
      return try builder.append(.maxPool(window2D(window)), [x])
    case .avgpool(let window):
      return try builder.append(.avgPool(window2D(window)), [x])
    case .flatten, .reshape:
      return try builder.reshape(x, to: node.shape)
    case .concat(let axis):
      return try builder.append(.concat(axis: axis), inputs)
    case .dropout(let rate):
      return try builder.append(.dropout(rate: rate), [x])
    case .batchnorm(let momentum, let epsilon):
      return try builder.batchNorm(x, name: name, momentum: momentum, epsilon: epsilon)
    case .embedding(let vocabulary, let dimension):
      return try builder.embedding(x, vocabulary: vocabulary, dimension: dimension, name: name)
    case .rnn(let units):
      return try builder.recurrent(.rnn, x, units: units, name: name)
    case .lstm(let units):
      return try builder.recurrent(.lstm, x, units: units, name: name)
    case .gru(let units):
      return try builder.recurrent(.gru, x, units: units, name: name)
    case .last:
      return try builder.append(.lastStep, [x])
    case .relu:
      return try builder.append(.relu, [x])
    case .tanh:
      return try builder.append(.tanh, [x])
    case .sigmoid:
      return try builder.append(.sigmoid, [x])
    case .softmax:
      return try builder.append(.softmax, [x])
    case .leakyRelu(let slope):
      return try builder.append(.leakyRelu(slope: slope), [x])
    case .add:
      return try builder.append(.add, inputs)
    case .subtract:
      return try builder.append(.subtract, inputs)
    case .multiply:
      return try builder.append(.multiply, inputs)
    case .divide:
      return try builder.append(.divide, inputs)
    }
  }

  static func window2D(_ window: Window) -> Window2D {
    Window2D(kernel: window.kernel, stride: window.stride, padding: window.padding)
  }

  /// Weight and bias initialisers for grammar.md 5.4 (nil: PyTorch's default).
  static func initializers(
    _ spec: InitSpec, fanIn: Int, fanOut: Int
  ) -> (Initializer?, Initializer?) {
    switch spec {
    case .pytorchDefault: (nil, nil)
    case .xavier: (.xavier(fanIn: fanIn, fanOut: fanOut), .zeros)
    case .kaiming: (.kaiming(fanIn: fanIn), .zeros)
    case .normal(let std): (.normal(std: std), .zeros)
    case .zeros: (.zeros, .zeros)
    // Filled from the encoder after initialisation (see `LoweredModel.mirrors`).
    case .mirrorOf: (nil, .zeros)
    }
  }
}
