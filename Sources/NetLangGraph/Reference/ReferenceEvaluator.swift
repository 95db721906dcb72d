// ReferenceEvaluator: a slow, simple, double-precision evaluator of a graph's forward ops,
// independent of the Float executor's kernels. Serves `netlang gradcheck` (finite differences
// need more than float32) and tests (an oracle for the executor's forward values).

import NetLangTensor

/// Why a reference evaluation stopped.
public enum ReferenceError: Error, Equatable, Sendable, CustomStringConvertible {
  /// An input node had no values, or the wrong number for the batch.
  case inputSize(name: String, expected: Int, got: Int)
  /// A parameter had no values, or the wrong number.
  case parameterSize(ParameterID, expected: Int, got: Int)
  /// A training pass reached a dropout node with a rate > 0 and no mask was given for it.
  case missingDropoutMask(NodeID)
  /// A class label or embedding id is not a whole number in range.
  case invalidIndex(node: NodeID, value: Double)
  /// The target depends on a backward-only op, which the evaluator does not compute.
  case backwardOnly(node: NodeID, op: String)

  public var description: String {
    switch self {
    case .inputSize(let name, let expected, let got):
      "input '\(name)' needs \(expected) values, got \(got)"
    case .parameterSize(let id, let expected, let got):
      "parameter p\(id.rawValue) needs \(expected) values, got \(got)"
    case .missingDropoutMask(let node): "no dropout mask for node \(node)"
    case .invalidIndex(let node, let value): "node \(node) got an invalid index \(value)"
    case .backwardOnly(let node, let op): "node \(node) is the backward-only op \(op)"
    }
  }
}

/// The values of the evaluated nodes and a fingerprint of every discrete choice on the way.
public struct ReferenceResult: Sendable {
  /// The value of each requested node (batch-sized for batched nodes, row-major).
  public var values: [NodeID: [Double]]
  /// A hash of every piecewise decision made: the side of 0 of each relu/leakyRelu input,
  /// the winning position of each max-pool window, whether each bce log was clamped.
  ///
  /// Two evaluations with equal signatures ran on the same smooth piece of the function, so
  /// a central difference across them has no kink inside (up to hash collisions).
  public var kinkSignature: UInt64
  /// Every node's value in the pass (empty for nodes not evaluated), for `reusing:`.
  var allValues: [[Double]] = []
  /// Every node's own decision hash in the pass.
  var nodeSignatures: [UInt64] = []
  var batch = 0
  var training = false
}

/// Evaluates forward nodes of one graph in Double precision.
///
/// Every op computes the same math as the executor's kernel (same conventions: PyTorch gate
/// orders, batch statistics with biased variance, first maximum in pooling and accuracy,
/// log clamped at −100 in bceLoss, ½Σ/B in mseLoss), but directly from the definitions,
/// in plain loops over `[Double]`.
///
/// Dropout: in a training pass, every dropout node with a rate > 0 multiplies its input by
/// the caller's mask (`dropoutMasks[node]`, one multiplier per element: 0 or 1/(1 − rate)).
/// Take the masks the executor used with `Executor.dropoutMasks()` after its forward pass,
/// or draw them like the executor does with `drawDropoutMasks(batch:random:computing:)`.
///
/// Batchnorm in training uses batch statistics and does not update the running statistics
/// (the evaluator never changes a parameter).
public struct ReferenceEvaluator: Sendable {
  public let graph: Graph

  public init(graph: Graph) {
    self.graph = graph
  }

  /// The value of `node` for a batch of `batch` examples.
  ///
  /// - Parameters:
  ///   - inputs: each input node's values by name (`batch` × per-example elements).
  ///   - parameters: every parameter the node depends on, by id.
  ///   - training: batch statistics in batchnorm and dropout masks; else running statistics
  ///     and identity dropout.
  public func evaluate(
    node: NodeID, batch: Int, inputs: [String: [Double]], parameters: [ParameterID: [Double]],
    training: Bool, dropoutMasks: [NodeID: [Double]] = [:]
  ) throws(ReferenceError) -> [Double] {
    let result = try evaluate(
      nodes: [node], batch: batch, inputs: inputs, parameters: parameters, training: training,
      dropoutMasks: dropoutMasks)
    return result.values[node] ?? []
  }

  /// The values of `nodes` and the kink signature of the pass that computed them.
  ///
  /// - Parameters:
  ///   - previous: an earlier result of the same graph with the same batch, inputs, masks and
  ///     mode, whose parameters differ from `parameters` only in `changed`; the nodes that do
  ///     not depend on a changed parameter keep their earlier values and decisions (finite
  ///     differences perturb one parameter at a time, so most of the graph is reused).
  public func evaluate(
    nodes targets: [NodeID], batch: Int, inputs: [String: [Double]],
    parameters: [ParameterID: [Double]], training: Bool, dropoutMasks: [NodeID: [Double]] = [:],
    reusing previous: ReferenceResult? = nil, changed: Set<ParameterID> = []
  ) throws(ReferenceError) -> ReferenceResult {
    let needed = neededNodes(for: targets)
    var pass = ReferencePass(
      graph: graph, batch: max(batch, 1), training: training, dropoutMasks: dropoutMasks)
    let count = graph.nodes.count
    pass.values = [[Double]](repeating: [], count: count)
    var signatures = [UInt64](repeating: 0, count: count)
    let reusable = previous.flatMap { p in
      p.allValues.count == count && p.batch == pass.batch && p.training == training ? p : nil
    }
    var dirty = [Bool](repeating: reusable == nil, count: count)
    var signature = ReferencePass.emptySignature
    for index in graph.nodes.indices where needed[index] {
      let id = NodeID(index)
      let node = graph[id]
      if reusable != nil {
        if case .parameter(let p) = node.op, changed.contains(p) {
          dirty[index] = true
        } else if node.inputs.contains(where: { dirty[$0.rawValue] }) {
          dirty[index] = true
        }
      }
      if let reusable, !dirty[index], !isLeaf(node.op), !reusable.allValues[index].isEmpty {
        pass.values[index] = reusable.allValues[index]
        signatures[index] = reusable.nodeSignatures[index]
      } else {
        pass.signature = ReferencePass.emptySignature
        pass.values[index] = try value(of: id, node, &pass, inputs: inputs, parameters: parameters)
        signatures[index] = pass.signature
      }
      signature = (signature ^ signatures[index]) &* ReferencePass.prime
    }
    var values: [NodeID: [Double]] = [:]
    for target in targets { values[target] = pass.values[target.rawValue] }
    // Leaves are read again from the caller's dictionaries; not keeping them lets the caller
    // change a parameter element in place without copying its array.
    for (index, node) in graph.nodes.enumerated() {
      switch node.op {
      case .input, .parameter: pass.values[index] = []
      default: break
      }
    }
    return ReferenceResult(
      values: values, kinkSignature: signature, allValues: pass.values,
      nodeSignatures: signatures, batch: pass.batch, training: training)
  }

  /// Reads a leaf from `inputs` or `parameters`, or computes an op from its inputs' values.
  private func value(
    of id: NodeID, _ node: Node, _ pass: inout ReferencePass, inputs: [String: [Double]],
    parameters: [ParameterID: [Double]]
  ) throws(ReferenceError) -> [Double] {
    switch node.op {
    case .input(let name):
      let values = inputs[name] ?? []
      let expected = node.elementCount(batch: pass.batch)
      guard values.count == expected else {
        throw .inputSize(name: name, expected: expected, got: values.count)
      }
      return values
    case .parameter(let p):
      let values = parameters[p] ?? []
      let expected = graph[p].shape.elementCount
      guard values.count == expected else {
        throw .parameterSize(p, expected: expected, got: values.count)
      }
      return values
    default:
      return try pass.compute(id, node)
    }
  }

  private func isLeaf(_ op: Op) -> Bool {
    switch op {
    case .input, .parameter: true
    default: false
    }
  }

  /// Flags of the nodes `targets` depend on (themselves included).
  func neededNodes(for targets: [NodeID]) -> [Bool] {
    var needed = [Bool](repeating: false, count: graph.nodes.count)
    for target in targets where target.rawValue >= 0 && target.rawValue < needed.count {
      needed[target.rawValue] = true
    }
    for i in stride(from: graph.nodes.count - 1, through: 0, by: -1) where needed[i] {
      for input in graph.nodes[i].inputs { needed[input.rawValue] = true }
    }
    return needed
  }

  /// Dropout masks drawn exactly as the executor draws them in a training pass that starts
  /// with its `random` equal to `random`: node by node in graph order, for the dropout nodes
  /// the pass runs (all forward nodes, or those `targets` depend on), one
  /// `random.nextFloat() < rate` per element.
  public func drawDropoutMasks(
    batch: Int, random: inout Random, computing targets: [NodeID]? = nil
  ) -> [NodeID: [Double]] {
    let end = graph.backwardStart?.rawValue ?? graph.nodes.count
    let needed = targets.map(neededNodes(for:))
    var masks: [NodeID: [Double]] = [:]
    for index in 0..<end where needed?[index] ?? true {
      let node = graph.nodes[index]
      guard case .dropout(let rate) = node.op, rate > 0 else { continue }
      let keep = rate < 1 ? 1 / (1 - rate) : 0
      let threshold = Float(rate)
      masks[NodeID(index)] = (0..<node.elementCount(batch: batch)).map { _ in
        random.nextFloat() < threshold ? 0 : keep
      }
    }
    return masks
  }
}

/// The state of one evaluation: every computed value, and the running kink hash.
struct ReferencePass {
  let graph: Graph
  let batch: Int
  let training: Bool
  let dropoutMasks: [NodeID: [Double]]
  var values: [[Double]] = []
  /// FNV-1a over the decisions recorded with `record(_:)`.
  var signature: UInt64 = emptySignature
  static let emptySignature: UInt64 = 0xcbf2_9ce4_8422_2325
  static let prime: UInt64 = 0x100_0000_01b3

  init(graph: Graph, batch: Int, training: Bool, dropoutMasks: [NodeID: [Double]]) {
    self.graph = graph
    self.batch = batch
    self.training = training
    self.dropoutMasks = dropoutMasks
  }

  /// Folds one discrete decision into the signature.
  @inline(__always)
  mutating func record(_ decision: Int) {
    signature = (signature ^ UInt64(bitPattern: Int64(decision))) &* Self.prime
  }

  /// The value of input `k` of `node`.
  func input(_ node: Node, _ k: Int) -> [Double] { values[node.inputs[k].rawValue] }
  /// The node of input `k` of `node`.
  func inputNode(_ node: Node, _ k: Int) -> Node { graph[node.inputs[k]] }
  /// Examples carried by `node` (the batch, or 1 when unbatched).
  func examples(_ node: Node) -> Int { node.batched ? batch : 1 }

  /// Computes one non-leaf node from its inputs' values.
  mutating func compute(_ id: NodeID, _ node: Node) throws(ReferenceError) -> [Double] {
    switch node.op {
    case .input, .parameter:
      return []
    case .constant(let value):
      return [value]
    case .dense:
      return dense(node)
    case .add: return broadcastBinary(node) { $0 + $1 }
    case .subtract: return broadcastBinary(node) { $0 - $1 }
    case .multiply: return broadcastBinary(node) { $0 * $1 }
    case .divide: return broadcastBinary(node) { $0 / $1 }
    case .scale(let c):
      return input(node, 0).map { c * $0 }
    case .relu:
      return input(node, 0).map { x in
        record(x > 0 ? 1 : 0)
        return x > 0 ? x : 0
      }
    case .leakyRelu(let slope):
      return input(node, 0).map { x in
        record(x > 0 ? 1 : 0)
        return x > 0 ? x : slope * x
      }
    case .tanh:
      return input(node, 0).map { ReferenceMath.tanh($0) }
    case .sigmoid:
      return input(node, 0).map { ReferenceMath.sigmoid($0) }
    case .softmax:
      return softmax(input(node, 0), classes: node.shape.dimensions.last ?? 1)
    case .reshape:
      return input(node, 0)
    case .concat(let axis):
      return concat(node, axis: axis)
    case .dropout(let rate):
      return try dropout(id, node, rate: rate)
    case .lastStep:
      return lastStep(node)
    case .conv2d(let window):
      return conv2d(node, window)
    case .maxPool(let window):
      return maxPool(node, window)
    case .avgPool(let window):
      return avgPool(node, window)
    case .batchNorm(_, let epsilon):
      return batchNorm(node, epsilon: epsilon)
    case .embedding:
      return try embedding(id, node)
    case .rnn:
      return rnn(node)
    case .lstm:
      return lstm(node)
    case .gru:
      return gru(node)
    case .mseLoss:
      return [mseLoss(node)]
    case .softmaxCrossEntropy:
      return [try softmaxCrossEntropy(id, node)]
    case .bceLoss:
      return [bceLoss(node)]
    case .bceWithLogitsLoss:
      return [bceWithLogitsLoss(node)]
    case .accuracy:
      return [accuracy(node)]
    case .sumTo:
      return sumTo(node)
    case .broadcastTo:
      return broadcastTo(node)
    case .denseInputGrad, .denseWeightGrad, .reluGrad, .leakyReluGrad, .tanhGrad, .sigmoidGrad,
      .softmaxGrad, .slice, .dropoutGrad, .lastStepGrad, .conv2dBackward, .maxPoolGrad,
      .avgPoolGrad, .batchNormBackward, .embeddingGrad, .rnnBackward, .lstmBackward, .gruBackward,
      .gradientPart, .mseLossGrad, .softmaxCrossEntropyGrad, .bceLossGrad, .bceWithLogitsLossGrad:
      throw .backwardOnly(node: id, op: node.op.name)
    }
  }
}
