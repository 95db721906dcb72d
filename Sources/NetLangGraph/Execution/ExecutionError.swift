// ExecutionError: a failure while running a graph. Carries the NodeID (never a source span);
// the driver maps it to the layer's source through Lowering's source map.

/// Why a forward or backward pass stopped.
public enum ExecutionError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The node produced a NaN or an infinity (found when `checksFinite` is on).
  case nonFinite(node: NodeID)
  /// A class label or embedding id is not a whole number in range.
  case invalidIndex(node: NodeID, value: Float)
  /// More examples than the executor was prepared for.
  case batchTooLarge(requested: Int, capacity: Int)
  /// No input has this name.
  case unknownInput(String)
  /// An input buffer has the wrong number of elements for the current batch.
  case inputSize(name: String, expected: Int, got: Int)
  /// `backward()` on a graph without a backward pass.
  case noBackwardPass

  public var description: String {
    switch self {
    case .nonFinite(let node): "node \(node) produced NaN or infinity"
    case .invalidIndex(let node, let value): "node \(node) got an invalid class index \(value)"
    case .batchTooLarge(let requested, let capacity):
      "batch of \(requested) exceeds the prepared capacity \(capacity)"
    case .unknownInput(let name): "no input named '\(name)'"
    case .inputSize(let name, let expected, let got):
      "input '\(name)' needs \(expected) values, got \(got)"
    case .noBackwardPass: "the graph has no backward pass"
    }
  }
}
