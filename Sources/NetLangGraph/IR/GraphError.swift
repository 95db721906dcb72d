// GraphError: why a node could not be added or a graph is malformed. These are internal
// errors (the checker has already validated the user's model), reported by node, never trapped.

import NetLangTensor

/// A construction or verification failure, with the op and the shapes involved.
public enum GraphError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The op got the wrong number of inputs.
  case arity(op: String, expected: String, got: Int)
  /// The input shapes do not fit the op's shape rule.
  case shapeMismatch(op: String, shapes: [Shape], reason: String)
  /// An input id is not a node defined before this one.
  case invalidInput(NodeID)
  /// The op cannot be differentiated (a backward-only op on the path to the loss).
  case notDifferentiable(node: NodeID, op: String)
  /// The loss must be an unbatched scalar.
  case lossNotScalar(NodeID)

  public var description: String {
    switch self {
    case .arity(let op, let expected, let got):
      "'\(op)' takes \(expected) inputs, got \(got)"
    case .shapeMismatch(let op, let shapes, let reason):
      "'\(op)' cannot take shapes \(shapes.map(\.description).joined(separator: ", ")): \(reason)"
    case .invalidInput(let id): "input \(id) is not defined before its use"
    case .notDifferentiable(let node, let op): "node \(node) ('\(op)') has no gradient rule"
    case .lossNotScalar(let id): "loss \(id) is not an unbatched scalar"
    }
  }
}
