// ParameterCount: how many trainable numbers each layer owns (grammar.md 5.2, PyTorch
// layout), for `netlang summary` and for the checker's limit on layer size.

import NetLangTensor

extension LayerOp {
  /// Trainable parameters of this op applied to an input of shape `input` (saturating at
  /// `Int.max`; batchnorm's running statistics are buffers and not counted).
  public func parameterCount(input: Shape) -> Int {
    let features = input.dimensions.last ?? 1
    switch self {
    case .dense(let units, let bias, _):
      return ShapeRules.saturatingCount([units, features]) &+ (bias ? units : 0)
    case .conv2d(let filters, let window, let bias, _):
      let channels = input.dimensions.first ?? 1
      return ShapeRules.saturatingCount([filters, channels, window.kernel.0, window.kernel.1])
        &+ (bias ? filters : 0)
    case .batchnorm:
      return 2 * (input.dimensions.first ?? 1)
    case .embedding(let vocabulary, let dimension):
      return ShapeRules.saturatingCount([vocabulary, dimension])
    case .rnn(let units), .lstm(let units), .gru(let units):
      let gates: Int
      switch self {
      case .lstm: gates = 4
      case .gru: gates = 3
      default: gates = 1
      }
      return ShapeRules.saturatingCount([gates, units, features + units + 2])
    default:
      return 0
    }
  }
}

extension CheckedModel {
  /// Trainable parameters of one node.
  public func parameterCount(of node: CheckedNode) -> Int {
    node.op.parameterCount(input: node.inputs.first.map { self[$0].shape } ?? [])
  }

  /// Trainable parameters of the whole model.
  public var parameterCount: Int {
    nodes.reduce(0) { total, node in
      let (sum, overflow) = total.addingReportingOverflow(parameterCount(of: node))
      return overflow ? Int.max : sum
    }
  }
}
