// Executor state read out for the reference evaluator: the dropout masks of the last
// training pass, and the current inputs and parameters, all as Double.

extension Executor {
  /// The dropout masks the last training forward pass applied, one multiplier per element
  /// (0 or exactly 1/(1 − rate) in Double), for every dropout node with a rate > 0.
  ///
  /// Only meaningful after `forward(training: true)`; an evaluation pass sets masks of ones.
  public func dropoutMasks() -> [NodeID: [Double]] {
    var masks: [NodeID: [Double]] = [:]
    for (index, node) in graph.nodes.enumerated() {
      guard case .dropout(let rate) = node.op, rate > 0,
        let workspace = workspaces[index]?.pointer
      else { continue }
      let keep = rate < 1 ? 1 / (1 - rate) : 0
      let count = node.elementCount(batch: batchSize)
      masks[NodeID(index)] = (0..<count).map { workspace[$0] == 0 ? 0 : keep }
    }
    return masks
  }

  /// The current values of every input node, by name, for the current batch.
  public func referenceInputs() -> [String: [Double]] {
    var inputs: [String: [Double]] = [:]
    for (index, node) in graph.nodes.enumerated() {
      guard case .input(let name) = node.op else { continue }
      inputs[name] = value(of: NodeID(index)).map(Double.init)
    }
    return inputs
  }

  /// The current values of every parameter, by id.
  public func referenceParameters() -> [ParameterID: [Double]] {
    var parameters: [ParameterID: [Double]] = [:]
    for index in graph.parameters.indices {
      let id = ParameterID(index)
      parameters[id] = parameterValue(id).map(Double.init)
    }
    return parameters
  }
}
