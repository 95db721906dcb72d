// Optimizer: the interface every optimizer implements over flat Float parameter buffers, the
// buffers themselves, and the exportable optimizer state for checkpoints.

/// One parameter tensor as the optimizer sees it: its values and its gradient, both flat and
/// of the same length, owned by the caller (the executor's buffers).
public struct ParameterBuffer {
  /// The parameter's name (`dense.weight`), used to key optimizer state.
  public var name: String
  public var value: UnsafeMutableBufferPointer<Float>
  public var gradient: UnsafeMutableBufferPointer<Float>

  public init(
    name: String, value: UnsafeMutableBufferPointer<Float>,
    gradient: UnsafeMutableBufferPointer<Float>
  ) {
    precondition(value.count == gradient.count, "a gradient has its parameter's size")
    self.name = name
    self.value = value
    self.gradient = gradient
  }
}

/// An optimizer's state as named arrays: `"<parameter>.<buffer>"` (for example
/// `dense.weight.momentum`, `dense.weight.exp_avg`) plus the number of steps taken.
public struct OptimizerState: Equatable, Sendable {
  public var step: Int
  public var buffers: [String: [Float]]
  public init(step: Int = 0, buffers: [String: [Float]] = [:]) {
    self.step = step
    self.buffers = buffers
  }
}

/// Updates parameters in place from their gradients.
///
/// State is allocated on the first step
/// (or by `restore`) and reused afterwards; the gradients are not modified.
public protocol Optimizer {
  /// One update of every parameter. The same parameters, in the same order, each step.
  mutating func step(parameters: [ParameterBuffer], learningRate: Float)
  /// The state to save in a checkpoint.
  var state: OptimizerState { get }
  /// Takes over a saved state for these parameters; every buffer must be present with the
  /// parameter's size.
  mutating func restore(_ state: OptimizerState, parameters: [ParameterBuffer]) throws(DataError)
}

/// The optimizer a train task asks for.
public func makeOptimizer(_ spec: OptimizerSpec) -> any Optimizer {
  switch spec {
  case .sgd(let settings): SGD(settings)
  case .adam(let settings): Adam(settings)
  }
}

/// Per-parameter buffers of one kind (momentum, first or second moment), by parameter position.
struct StateBuffers: Sendable {
  /// The suffix in state names: `momentum`, `exp_avg`, `exp_avg_sq`.
  let kind: String
  var names: [String] = []
  var arrays: [[Float]] = []

  init(kind: String) { self.kind = kind }

  /// True once buffers exist for `parameters` (same count).
  func matches(_ parameters: [ParameterBuffer]) -> Bool {
    names.count == parameters.count
  }

  /// Zero-filled buffers, one per parameter.
  mutating func allocate(for parameters: [ParameterBuffer]) {
    names = parameters.map(\.name)
    arrays = parameters.map { [Float](repeating: 0, count: $0.value.count) }
  }

  /// The buffers as named state arrays.
  func export(into state: inout OptimizerState) {
    for (name, array) in zip(names, arrays) { state.buffers[name + "." + kind] = array }
  }

  /// Buffers taken from `state`, checked against the parameters' names and sizes.
  mutating func restore(from state: OptimizerState, parameters: [ParameterBuffer]) throws(DataError)
  {
    var restored: [[Float]] = []
    for parameter in parameters {
      let key = parameter.name + "." + kind
      guard let array = state.buffers[key] else {
        throw DataError(path: "", message: "optimizer state has no '\(key)'")
      }
      guard array.count == parameter.value.count else {
        throw DataError(
          path: "",
          message: "optimizer state '\(key)' has \(array.count) values, the parameter has "
            + "\(parameter.value.count)")
      }
      restored.append(array)
    }
    names = parameters.map(\.name)
    arrays = restored
  }
}
