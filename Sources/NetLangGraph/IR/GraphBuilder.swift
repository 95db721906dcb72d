// GraphBuilder: the append-only construction API that Lowering and Autodiff use. Every
// append infers the node's shape through ShapeInference, so a graph is well-shaped by
// construction; a bad request is a thrown GraphError, never a trap.

import NetLangTensor

/// Builds a `Graph` node by node.
public struct GraphBuilder: Sendable {
  public private(set) var graph: Graph

  public init(_ graph: Graph = Graph()) { self.graph = graph }

  /// Appends `op` on `inputs`; its shape comes from the op's shape rule.
  /// - Parameters:
  ///   - declared: the result type for leaves, `reshape`, `sumTo` and other ops whose shape
  ///     is not implied by their inputs.
  /// - Throws: `GraphError` when the inputs do not fit the op.
  @discardableResult
  public mutating func append(
    _ op: Op, _ inputs: [NodeID], declared: ValueType? = nil
  ) throws(GraphError) -> NodeID {
    let type = try ShapeInference.infer(op, inputs, in: graph, declared: declared)
    graph.nodes.append(Node(op: op, inputs: inputs, shape: type.shape, batched: type.batched))
    return NodeID(graph.nodes.count - 1)
  }

  /// A batched input fed under `name`, with per-example `shape`.
  public mutating func input(_ name: String, shape: Shape) -> NodeID {
    graph.nodes.append(Node(op: .input(name: name), inputs: [], shape: shape, batched: true))
    return NodeID(graph.nodes.count - 1)
  }

  /// A scalar constant.
  public mutating func constant(_ value: Double) -> NodeID {
    graph.nodes.append(Node(op: .constant(value), inputs: [], shape: [], batched: false))
    return NodeID(graph.nodes.count - 1)
  }

  /// Declares a parameter (or a buffer when `trainable` is false) and the node that reads it.
  public mutating func parameter(
    _ name: String, shape: Shape, initializer: Initializer, trainable: Bool = true
  ) -> NodeID {
    let id = ParameterID(graph.parameters.count)
    graph.parameters.append(
      Parameter(name: name, shape: shape, initializer: initializer, trainable: trainable))
    graph.nodes.append(Node(op: .parameter(id), inputs: [], shape: shape, batched: false))
    return NodeID(graph.nodes.count - 1)
  }

  /// `x` with the same elements in per-example `shape` (flatten, reshape).
  public mutating func reshape(_ x: NodeID, to shape: Shape) throws(GraphError) -> NodeID {
    try append(.reshape, [x], declared: ValueType(shape, batched: graph[x].batched))
  }

  /// Names `node` as output `name` (replacing an earlier one of that name).
  public mutating func setOutput(_ name: String, _ node: NodeID) {
    if graph.outputs[name] == nil { graph.outputOrder.append(name) }
    graph.outputs[name] = node
  }

  mutating func markBackwardStart() {
    if graph.backwardStart == nil { graph.backwardStart = NodeID(graph.nodes.count) }
  }

  mutating func setParameterGradient(_ id: ParameterID, _ node: NodeID) {
    graph.parameterGradients[id] = node
  }

  mutating func setBackwardOrigin(_ node: NodeID, _ origin: NodeID) {
    graph.backwardOrigin[node] = origin
  }
}

// MARK: - Losses as grammar.md 7.4 defines them

extension GraphBuilder {
  /// `mse(output, target)`: ½ Σ (y − t)² per example, mean over the batch.
  public mutating func mse(_ output: NodeID, _ target: NodeID) throws(GraphError) -> NodeID {
    try append(.mseLoss, [output, target])
  }

  /// `cross_entropy(logits, labels)`: mean over batch (and time) of −log softmax[label].
  public mutating func crossEntropy(_ logits: NodeID, _ labels: NodeID) throws(GraphError) -> NodeID
  {
    try append(.softmaxCrossEntropy, [logits, labels])
  }

  /// `bce(probabilities, target)`: when `probabilities` is a sigmoid node the loss is computed
  /// from the sigmoid's input (bceWithLogitsLoss, stable); otherwise from the probabilities.
  public mutating func bce(_ probabilities: NodeID, _ target: NodeID) throws(GraphError) -> NodeID {
    let node = graph[probabilities]
    if node.op == .sigmoid, let logits = node.inputs.first {
      return try append(.bceWithLogitsLoss, [logits, target])
    }
    return try append(.bceLoss, [probabilities, target])
  }

  /// Fraction of correct argmax predictions (threshold 0.5 for a single column).
  public mutating func accuracy(_ scores: NodeID, _ labels: NodeID) throws(GraphError) -> NodeID {
    try append(.accuracy, [scores, labels])
  }
}

// MARK: - Layers with parameters, PyTorch names and default initialisation

extension GraphBuilder {
  /// `dense(x, units)`: parameters `<name>.weight [units, I]` and `<name>.bias [units]`.
  ///
  /// Default initialisers are PyTorch's: uniform ±1/√I for both.
  public mutating func dense(
    _ x: NodeID, units: Int, name: String, bias: Bool = true,
    weightInit: Initializer? = nil, biasInit: Initializer? = nil
  ) throws(GraphError) -> NodeID {
    let inputs = graph[x].shape.dimensions.last ?? 1
    let bound = Initializer.uniform(bound: 1 / Double(inputs).squareRoot())
    let w = parameter(
      name + ".weight", shape: [units, inputs], initializer: weightInit ?? bound)
    guard bias else { return try append(.dense, [x, w]) }
    let b = parameter(name + ".bias", shape: [units], initializer: biasInit ?? bound)
    return try append(.dense, [x, w, b])
  }

  /// `conv2d(x, filters, window)`: `<name>.weight [F, C, kh, kw]`, `<name>.bias [F]`; default
  /// initialisers uniform ±1/√(C·kh·kw).
  public mutating func conv2d(
    _ x: NodeID, filters: Int, window: Window2D, name: String, bias: Bool = true,
    weightInit: Initializer? = nil, biasInit: Initializer? = nil
  ) throws(GraphError) -> NodeID {
    let channels = graph[x].shape.dimensions.first ?? 1
    let fanIn = channels * window.kernelHeight * window.kernelWidth
    let bound = Initializer.uniform(bound: 1 / Double(fanIn).squareRoot())
    let w = parameter(
      name + ".weight", shape: [filters, channels, window.kernelHeight, window.kernelWidth],
      initializer: weightInit ?? bound)
    guard bias else { return try append(.conv2d(window), [x, w]) }
    let b = parameter(name + ".bias", shape: [filters], initializer: biasInit ?? bound)
    return try append(.conv2d(window), [x, w, b])
  }

  /// `batchnorm(x)`: `weight` (ones), `bias` (zeros), buffers `running_mean` (zeros) and
  /// `running_var` (ones), each `[N]` or `[C]`.
  public mutating func batchNorm(
    _ x: NodeID, name: String, momentum: Double = 0.1, epsilon: Double = 1e-5
  ) throws(GraphError) -> NodeID {
    let features = graph[x].shape.dimensions.first ?? 1
    let gamma = parameter(name + ".weight", shape: [features], initializer: .ones)
    let beta = parameter(name + ".bias", shape: [features], initializer: .zeros)
    let mean = parameter(
      name + ".running_mean", shape: [features], initializer: .zeros, trainable: false)
    let variance = parameter(
      name + ".running_var", shape: [features], initializer: .ones, trainable: false)
    return try append(
      .batchNorm(momentum: momentum, epsilon: epsilon), [x, gamma, beta, mean, variance])
  }

  /// `embedding(ids, vocabulary, dimension)`: `<name>.weight [V, D]`, normal(1) like PyTorch.
  public mutating func embedding(
    _ ids: NodeID, vocabulary: Int, dimension: Int, name: String
  ) throws(GraphError) -> NodeID {
    let w = parameter(
      name + ".weight", shape: [vocabulary, dimension], initializer: .normal(std: 1))
    return try append(.embedding, [ids, w])
  }

  /// `rnn`, `lstm` or `gru` over `x [T, I]`: `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`,
  /// `bias_hh_l0`, all uniform ±1/√H as PyTorch.
  public mutating func recurrent(
    _ op: Op, _ x: NodeID, units: Int, name: String
  ) throws(GraphError) -> NodeID {
    let gates = op == .lstm ? 4 : (op == .gru ? 3 : 1)
    let inputs = graph[x].shape.dimensions.last ?? 1
    let bound = Initializer.uniform(bound: 1 / Double(units).squareRoot())
    let wih = parameter(name + ".weight_ih_l0", shape: [gates * units, inputs], initializer: bound)
    let whh = parameter(name + ".weight_hh_l0", shape: [gates * units, units], initializer: bound)
    let bih = parameter(name + ".bias_ih_l0", shape: [gates * units], initializer: bound)
    let bhh = parameter(name + ".bias_hh_l0", shape: [gates * units], initializer: bound)
    return try append(op, [x, wih, whh, bih, bhh])
  }
}
