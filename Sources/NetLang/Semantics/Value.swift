// Value: what an expression evaluates to at check time. Tensors are nodes of the model being
// built (with their shape); everything else is a constant known while checking.

import NetLangTensor

/// The kind of a value, for messages ("expected a tensor, found a number").
enum ValueKind: String, Sendable {
  case number, string, boolean, list, tensor
  case dataSet = "data set"

  /// The kind with an article, "a number".
  var withArticle: String { "a \(rawValue)" }
}

/// A checked value.
enum Value: Equatable, Sendable {
  case number(Double)
  case string(String)
  case boolean(Bool)
  case list([Value])
  /// A node of the model being built, and its per-example shape.
  case tensor(NodeRef, Shape)
  /// An index into the checker's data sets.
  case dataSet(Int)
  /// The value of an expression that already produced an error; checks on it stay silent.
  case invalid

  var kind: ValueKind? {
    switch self {
    case .number: .number
    case .string: .string
    case .boolean: .boolean
    case .list: .list
    case .tensor: .tensor
    case .dataSet: .dataSet
    case .invalid: nil
    }
  }

  /// A short rendering for messages: `3`, `"abc"`, `[1, 2]`, `a tensor of shape [3]`.
  var display: String {
    switch self {
    case .number(let value): formatNumber(value)
    case .string(let text): "\"\(text)\""
    case .boolean(let flag): flag ? "true" : "false"
    case .list(let items): "[" + items.map(\.display).joined(separator: ", ") + "]"
    case .tensor(_, let shape): "a tensor of shape \(shape)"
    case .dataSet: "a data set"
    case .invalid: "an invalid value"
    }
  }

  /// "a number (2.5)", used after "found".
  var described: String {
    switch self {
    case .number, .string, .boolean: "\(kind?.withArticle ?? "a value") (\(display))"
    case .list(let items) where items.count <= 6: "a list (\(display))"
    default: display
    }
  }
}

/// `3` for whole numbers, `0.5` otherwise.
func formatNumber(_ value: Double) -> String {
  if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
    return String(Int(value))
  }
  return String(value)
}
