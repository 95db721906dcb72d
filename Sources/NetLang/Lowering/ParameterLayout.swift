// ParameterLayout: the parameters (and buffers) each layer of a checked model owns, with
// PyTorch's names and layouts. Used by `netlang summary` and by Lowering, so the two agree.

import NetLangTensor

/// One tensor a layer owns.
public struct ParameterSlot: Equatable, Sendable {
  /// Full name, `<layer>.<suffix>`, e.g. "fc1.weight".
  public var name: String
  /// "weight", "bias", "weight_ih_l0", "running_mean", ...
  public var suffix: String
  public var shape: Shape
  /// False for buffers (batchnorm running statistics): saved, never trained.
  public var trainable: Bool
}

extension CheckedModel {
  /// The parameters and buffers of a node, in PyTorch's state_dict order (empty for ops
  /// without parameters).
  public func parameterSlots(of ref: NodeRef) -> [ParameterSlot] {
    let node = self[ref]
    guard let layer = node.layerName, let first = node.inputs.first else { return [] }
    let input = self[first].shape
    func slot(_ suffix: String, _ dims: [Int], trainable: Bool = true) -> ParameterSlot {
      ParameterSlot(
        name: "\(layer).\(suffix)", suffix: suffix, shape: Shape(dims), trainable: trainable)
    }
    let lastAxis = input.dimensions.last ?? 1
    switch node.op {
    case .dense(let units, let bias, _):
      return [slot("weight", [units, lastAxis])] + (bias ? [slot("bias", [units])] : [])
    case .conv2d(let filters, let window, let bias, _):
      let channels = input.dimensions.first ?? 1
      return [slot("weight", [filters, channels, window.kernel.0, window.kernel.1])]
        + (bias ? [slot("bias", [filters])] : [])
    case .batchnorm:
      let channels = input.dimensions.first ?? 1
      return [
        slot("weight", [channels]), slot("bias", [channels]),
        slot("running_mean", [channels], trainable: false),
        slot("running_var", [channels], trainable: false),
      ]
    case .embedding(let vocabulary, let dimension):
      return [slot("weight", [vocabulary, dimension])]
    case .rnn(let units), .lstm(let units), .gru(let units):
      let gates: Int
      switch node.op {
      case .lstm: gates = 4
      case .gru: gates = 3
      default: gates = 1
      }
      return [
        slot("weight_ih_l0", [gates * units, lastAxis]),
        slot("weight_hh_l0", [gates * units, units]),
        slot("bias_ih_l0", [gates * units]),
        slot("bias_hh_l0", [gates * units]),
      ]
    default:
      return []
    }
  }

  /// Every parameter and buffer of the model, in node order.
  public var parameterSlots: [ParameterSlot] {
    nodes.indices.flatMap { parameterSlots(of: NodeRef($0)) }
  }

  /// Number of trainable scalars.
  public var trainableParameterCount: Int {
    parameterSlots.filter(\.trainable).reduce(0) { $0 + $1.shape.elementCount }
  }
}
