// ShapeError: why a shape rule rejected its inputs. Thrown by `ShapeRules`; the checker turns
// it into a diagnostic with spans, the runtime into an assertion.

/// A violated shape rule, with the shapes involved.
public enum ShapeError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Two shapes that numpy broadcasting cannot align.
  case notBroadcastable(Shape, Shape)
  /// An operation needs a different rank, e.g. conv2d wants `[c, h, w]`.
  case wrongRank(operation: String, expected: String, actual: Shape)
  /// A window (kernel or pool size) larger than its padded input, as (height, width).
  case windowTooLarge(operation: String, window: [Int], input: [Int])
  /// A kernel, stride, size or count that is not positive (padding: negative).
  case invalidSize(what: String, value: Int)
  /// Concatenated shapes differ on an axis other than the concatenation axis.
  case concatMismatch(axis: Int, shapes: [Shape])
  /// An axis outside `-rank..<rank`.
  case axisOutOfRange(axis: Int, rank: Int)
  /// A reshape that changes the number of elements or uses -1 badly.
  case reshapeMismatch(from: Shape, to: [Int])
  /// More elements per example than `ShapeRules.maximumElements`.
  case tooLarge(Shape)

  /// Lower-case, as in a diagnostic.
  public var description: String {
    switch self {
    case .notBroadcastable(let a, let b):
      return "shapes \(a) and \(b) cannot be broadcast together"
    case .wrongRank(let operation, let expected, let actual):
      return "'\(operation)' expects a tensor of shape \(expected), found \(actual)"
    case .windowTooLarge(let operation, let window, let input):
      return
        "'\(operation)' window \(Shape(window)) is larger than its padded input \(Shape(input))"
    case .invalidSize(let what, let value):
      return "\(what) must be positive, found \(value)"
    case .concatMismatch(let axis, let shapes):
      let list = shapes.map(\.description).joined(separator: ", ")
      return "cannot concatenate shapes \(list) on axis \(axis)"
    case .axisOutOfRange(let axis, let rank):
      return "axis \(axis) is out of range for a tensor of rank \(rank)"
    case .reshapeMismatch(let from, let to):
      let target = "[" + to.map(String.init).joined(separator: ", ") + "]"
      return
        "cannot reshape \(from) (\(ShapeRules.saturatingCount(from.dimensions)) elements) to \(target)"
    case .tooLarge(let shape):
      return "a tensor of shape \(shape) has more than \(ShapeRules.maximumElements) elements"
    }
  }
}
