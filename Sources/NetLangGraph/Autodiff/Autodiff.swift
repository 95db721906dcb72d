// Autodiff: reverse-mode differentiation as a graph transformation. Walks the forward nodes
// from the loss back to the leaves and appends gradient nodes (VJPRules) to the same graph.

import NetLangTensor

/// Appends the backward pass of a scalar loss to a graph.
public enum Autodiff {
  /// Appends the nodes computing d loss / d (every trainable parameter the loss depends on),
  /// recorded in `graph.parameterGradients`, plus d loss / d each node in `extra`.
  /// - Returns: the gradient node of each node in `extra` that the loss depends on.
  /// - Throws: `GraphError` when the loss is not an unbatched scalar or a backward-only op
  ///   lies on the path.
  @discardableResult
  public static func appendBackward(
    to graph: inout Graph, loss: NodeID, withRespectTo extra: [NodeID] = []
  ) throws(GraphError) -> [NodeID: NodeID] {
    guard loss.rawValue < graph.nodes.count else { throw .invalidInput(loss) }
    guard graph[loss].shape == [], !graph[loss].batched else { throw .lossNotScalar(loss) }
    let count = loss.rawValue + 1

    // needsGradient: the node is, or depends on, something we differentiate with respect to.
    let extraSet = Set(extra)
    var needsGradient = [Bool](repeating: false, count: count)
    for i in 0..<count {
      let node = graph.nodes[i]
      if case .parameter(let p) = node.op, graph[p].trainable { needsGradient[i] = true }
      if extraSet.contains(NodeID(i)) { needsGradient[i] = true }
      if node.inputs.contains(where: { needsGradient[$0.rawValue] }) { needsGradient[i] = true }
    }

    var builder = GraphBuilder(graph)
    builder.markBackwardStart()
    var gradient = [NodeID?](repeating: nil, count: count)
    gradient[loss.rawValue] = builder.constant(1)

    // NOTE: accumulate, never assign: a node used twice receives two gradients.
    for i in stride(from: count - 1, through: 0, by: -1) {
      guard needsGradient[i], let g = gradient[i] else { continue }
      let id = NodeID(i)
      let inputs = builder.graph[id].inputs
      let needed = inputs.map { needsGradient[$0.rawValue] }
      let first = builder.graph.nodes.count
      let grads = try VJPRules.gradients(of: id, upstream: g, needed: needed, builder: &builder)
      for (input, grad) in zip(inputs, grads) {
        guard let grad else { continue }
        if let existing = gradient[input.rawValue] {
          gradient[input.rawValue] = try builder.append(.add, [existing, grad])
        } else {
          gradient[input.rawValue] = grad
        }
      }
      for made in first..<builder.graph.nodes.count { builder.setBackwardOrigin(NodeID(made), id) }
    }

    for i in 0..<count {
      guard case .parameter(let p) = builder.graph.nodes[i].op, builder.graph[p].trainable,
        let g = gradient[i]
      else { continue }
      builder.setParameterGradient(p, g)
    }
    var result: [NodeID: NodeID] = [:]
    for id in extra where id.rawValue < count {
      if let g = gradient[id.rawValue] { result[id] = g }
    }
    graph = builder.graph
    return result
  }
}
