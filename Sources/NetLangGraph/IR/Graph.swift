// Graph: the IR. An append-only list of nodes in topological order (every input precedes
// its user), the parameters they read, and named outputs. Built by GraphBuilder; Autodiff
// appends the backward nodes to the same graph.

import NetLangTensor

/// A typed index into `Graph.nodes`.
public struct NodeID: Hashable, Sendable, Comparable, CustomStringConvertible {
  public let rawValue: Int
  public init(_ rawValue: Int) { self.rawValue = rawValue }
  public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue < rhs.rawValue }
  /// Printed as `%7`.
  public var description: String { "%\(rawValue)" }
}

/// A typed index into `Graph.parameters`.
public struct ParameterID: Hashable, Sendable, Comparable {
  public let rawValue: Int
  public init(_ rawValue: Int) { self.rawValue = rawValue }
  public static func < (lhs: ParameterID, rhs: ParameterID) -> Bool {
    lhs.rawValue < rhs.rawValue
  }
}

/// How a parameter's values start.
///
/// Draws happen in parameter order from one seeded `Random`.
public enum Initializer: Hashable, Sendable {
  /// Uniform in [−bound, bound).
  case uniform(bound: Double)
  /// Normal with mean 0 and this standard deviation.
  case normal(std: Double)
  case zeros
  case ones
}

extension Initializer {
  /// Glorot/Xavier uniform: bound √(6 / (fanIn + fanOut)).
  public static func xavier(fanIn: Int, fanOut: Int) -> Initializer {
    .uniform(bound: (6 / Double(max(fanIn + fanOut, 1))).squareRoot())
  }
  /// He/Kaiming normal for ReLU: std √(2 / fanIn).
  public static func kaiming(fanIn: Int) -> Initializer {
    .normal(std: (2 / Double(max(fanIn, 1))).squareRoot())
  }
  /// PyTorch's default for dense, conv and recurrent layers: uniform ±1/√fanIn.
  public static func pytorchDefault(fanIn: Int) -> Initializer {
    .uniform(bound: 1 / Double(max(fanIn, 1)).squareRoot())
  }
}

/// A named tensor the graph reads: a trainable weight, or a buffer such as a running mean.
public struct Parameter: Hashable, Sendable {
  /// PyTorch-style name, for example "fc1.weight" or "bn.running_mean".
  ///
  public var name: String
  public var shape: Shape
  public var initializer: Initializer
  /// False for buffers (batchnorm running statistics): no gradient, not optimised.
  public var trainable: Bool

  public init(name: String, shape: Shape, initializer: Initializer, trainable: Bool = true) {
    self.name = name
    self.shape = shape
    self.initializer = initializer
    self.trainable = trainable
  }
}

/// One value of the graph.
///
/// NOTE: `shape` is per example. When `batched` is true the runtime value has the symbolic
/// batch dimension B in front (`[B] + shape`); otherwise the value is exactly `shape`
/// (parameters, constants, losses, parameter gradients).
public struct Node: Hashable, Sendable {
  public var op: Op
  public var inputs: [NodeID]
  public var shape: Shape
  public var batched: Bool

  public init(op: Op, inputs: [NodeID], shape: Shape, batched: Bool) {
    self.op = op
    self.inputs = inputs
    self.shape = shape
    self.batched = batched
  }

  /// Elements of the runtime value for a batch of `batch` examples.
  public func elementCount(batch: Int) -> Int {
    batched ? batch * shape.elementCount : shape.elementCount
  }
}

/// The computation graph: nodes in topological order, parameters, named outputs.
public struct Graph: Hashable, Sendable {
  public internal(set) var nodes: [Node] = []
  public internal(set) var parameters: [Parameter] = []
  /// Named results (model outputs, "loss", "accuracy", gradients), in the order added.
  public internal(set) var outputs: [String: NodeID] = [:]
  /// Names of `outputs` in the order they were added, for stable printing.
  public internal(set) var outputOrder: [String] = []
  /// The first node made by Autodiff, or nil before `appendBackward`.
  ///
  /// Nodes before it form
  /// the forward pass, nodes from it on the backward pass.
  public internal(set) var backwardStart: NodeID?
  /// The gradient node of each trainable parameter that the loss depends on.
  public internal(set) var parameterGradients: [ParameterID: NodeID] = [:]
  /// For each backward node, the forward node whose gradient rule made it (the call it
  /// belongs to, for error locations and profiles).
  public internal(set) var backwardOrigin: [NodeID: NodeID] = [:]

  public init() {}

  public subscript(id: NodeID) -> Node { nodes[id.rawValue] }
  public subscript(id: ParameterID) -> Parameter { parameters[id.rawValue] }

  /// Every node id, in order.
  public var nodeIDs: [NodeID] { nodes.indices.map(NodeID.init) }

  /// The node with output `name`, if any.
  public func output(_ name: String) -> NodeID? { outputs[name] }

  /// The parameter named `name`, if any.
  public func parameter(named name: String) -> ParameterID? {
    parameters.firstIndex { $0.name == name }.map(ParameterID.init)
  }

  /// The `.input` node fed under `name`, if any.
  public func input(named name: String) -> NodeID? {
    nodes.firstIndex { $0.op == .input(name: name) }.map(NodeID.init)
  }

  /// The `.parameter` node reading `id`, if any.
  public func node(reading id: ParameterID) -> NodeID? {
    nodes.firstIndex { $0.op == .parameter(id) }.map(NodeID.init)
  }

  /// Total number of trainable scalars.
  public var trainableParameterCount: Int {
    parameters.filter(\.trainable).reduce(0) { $0 + $1.shape.elementCount }
  }
}
