// OptimizerStateTensors: an optimizer's state as named tensors and metadata for a safetensors
// checkpoint, and back.

extension OptimizerState {
  /// The metadata key holding the step count.
  public static let stepKey = "optimizer.step"

  /// One 1-D tensor per state buffer, named `prefix` + buffer name, sorted by name.
  public func namedTensors(prefix: String = "optimizer.") -> [NamedTensor] {
    buffers.keys.sorted().map { key in
      let values = buffers[key] ?? []
      return NamedTensor(name: prefix + key, shape: [values.count], values: values)
    }
  }

  /// The step count as checkpoint metadata.
  public var metadata: [String: String] { [Self.stepKey: String(step)] }

  /// The state held in `tensors` (those named with `prefix`) and `metadata`.
  public init(
    tensors: [NamedTensor], metadata: [String: String], prefix: String = "optimizer.",
    path: String = ""
  ) throws(DataError) {
    var buffers: [String: [Float]] = [:]
    for tensor in tensors where tensor.name.hasPrefix(prefix) {
      buffers[String(tensor.name.dropFirst(prefix.count))] = tensor.values
    }
    var step = 0
    if let text = metadata[Self.stepKey] {
      guard let value = Int(text), value >= 0 else {
        throw DataError(
          path: path, message: "metadata \(Self.stepKey) must be a whole number, found '\(text)'")
      }
      step = value
    }
    self.init(step: step, buffers: buffers)
  }
}
