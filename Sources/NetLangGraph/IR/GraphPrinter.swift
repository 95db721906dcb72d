// GraphPrinter: a stable text dump of a graph (parameters, forward and backward nodes,
// outputs, gradients) for golden tests and `netlang graph`, and a Graphviz DOT rendering.

/// Renders graphs as text.
public enum GraphPrinter {
  /// One line per parameter and node, for example `%4 = dense(%0, %1, %2) : [B, 8]`.
  ///
  public static func text(_ graph: Graph) -> String {
    var lines: [String] = []
    for (p, parameter) in graph.parameters.enumerated() {
      let kind = parameter.trainable ? "param" : "buffer"
      lines.append(
        "\(kind) p\(p) \"\(parameter.name)\" \(parameter.shape) \(describe(parameter.initializer))")
    }
    for (i, node) in graph.nodes.enumerated() {
      if graph.backwardStart?.rawValue == i { lines.append("backward:") }
      lines.append(line(NodeID(i), node))
    }
    for name in graph.outputOrder {
      if let id = graph.outputs[name] { lines.append("output \"\(name)\" = \(id)") }
    }
    for (p, g) in graph.parameterGradients.sorted(by: { $0.key < $1.key }) {
      lines.append("gradient \"\(graph[p].name)\" = \(g)")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The type of a value: `[B, 3, 4]` when batched, `[3, 4]` otherwise.
  public static func type(_ node: Node) -> String {
    let dims = node.shape.dimensions.map(String.init)
    return "[" + ((node.batched ? ["B"] : []) + dims).joined(separator: ", ") + "]"
  }

  static func line(_ id: NodeID, _ node: Node) -> String {
    var call = node.op.name
    var arguments = node.inputs.map(\.description)
    if !node.op.attributes.isEmpty { arguments.append(node.op.attributes) }
    call += "(" + arguments.joined(separator: ", ") + ")"
    return "\(id) = \(call) : \(type(node))"
  }

  static func describe(_ initializer: Initializer) -> String {
    switch initializer {
    case .uniform(let bound): "uniform(\(bound))"
    case .normal(let std): "normal(\(std))"
    case .zeros: "zeros"
    case .ones: "ones"
    }
  }

  /// A Graphviz digraph: one box per node labelled with its op and type; backward nodes
  /// dashed; outputs as ellipses.
  public static func dot(_ graph: Graph) -> String {
    var lines = [
      "digraph netlang {", "  rankdir=TB;", "  node [shape=box, fontname=\"monospace\"];",
    ]
    for (i, node) in graph.nodes.enumerated() {
      var label = "\(NodeID(i)) \(node.op.name)"
      if case .parameter(let p) = node.op {
        label += " \(graph[p].name)"
      } else if !node.op.attributes.isEmpty {
        label += " \(node.op.attributes)"
      }
      label += "\\n\(type(node))"
      let escaped = label.replacingQuotes()
      let style = (graph.backwardStart?.rawValue ?? Int.max) <= i ? ", style=dashed" : ""
      lines.append("  n\(i) [label=\"\(escaped)\"\(style)];")
      for input in node.inputs { lines.append("  n\(input.rawValue) -> n\(i);") }
    }
    for (k, name) in graph.outputOrder.enumerated() {
      guard let id = graph.outputs[name] else { continue }
      let key = "out\(k)"
      lines.append("  \(key) [label=\"\(name.replacingQuotes())\", shape=ellipse];")
      lines.append("  n\(id.rawValue) -> \(key);")
    }
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }
}

extension String {
  fileprivate func replacingQuotes() -> String {
    var result = ""
    for c in self { result += c == "\"" ? "\\\"" : String(c) }
    return result
  }
}
