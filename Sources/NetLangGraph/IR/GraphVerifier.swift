// GraphVerifier: structural checks of a graph (tinygrad's spec.py analogue): inputs defined
// before use, every stored shape equal to the op's shape rule, outputs and gradients in range,
// no backward-only op before the backward pass. Run after Lowering and after Autodiff.

/// Checks a graph's invariants.
public enum GraphVerifier {
  /// Every problem found, as (node, message); empty for a well-formed graph.
  public static func verify(_ graph: Graph) -> [(node: NodeID?, message: String)] {
    var problems: [(node: NodeID?, message: String)] = []
    var partial = Graph()
    partial.parameters = graph.parameters
    for (i, node) in graph.nodes.enumerated() {
      let id = NodeID(i)
      for input in node.inputs where input.rawValue >= i || input.rawValue < 0 {
        problems.append((id, "input \(input) is not defined before \(id)"))
      }
      if case .parameter(let p) = node.op {
        if p.rawValue >= graph.parameters.count {
          problems.append((id, "parameter p\(p.rawValue) does not exist"))
        } else if graph[p].shape != node.shape || node.batched {
          problems.append((id, "parameter node shape differs from the parameter"))
        }
      }
      if node.op.isBackwardOnly, (graph.backwardStart?.rawValue ?? Int.max) > i {
        problems.append((id, "backward-only op '\(node.op.name)' in the forward pass"))
      }
      let declared = ValueType(node.shape, batched: node.batched)
      do {
        let inferred = try ShapeInference.infer(
          node.op, node.inputs, in: partial, declared: declared)
        if inferred != declared {
          problems.append(
            (id, "stored shape \(node.shape) differs from the rule's \(inferred.shape)"))
        }
      } catch {
        problems.append((id, error.description))
      }
      partial.nodes.append(node)
    }
    for name in graph.outputOrder {
      guard let id = graph.outputs[name], id.rawValue < graph.nodes.count else {
        problems.append((nil, "output '\(name)' names no node"))
        continue
      }
    }
    for (p, g) in graph.parameterGradients {
      guard g.rawValue < graph.nodes.count, p.rawValue < graph.parameters.count else {
        problems.append((nil, "gradient of p\(p.rawValue) names no node"))
        continue
      }
      if graph[g].shape != graph[p].shape || graph[g].batched {
        problems.append((g, "gradient of '\(graph[p].name)' has shape \(graph[g].shape)"))
      }
    }
    return problems
  }
}
