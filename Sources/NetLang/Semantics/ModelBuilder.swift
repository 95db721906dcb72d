// ModelBuilder: collects the flat node list of one model while its body is unrolled, and
// gives layers unique names (grammar.md 5.6).

import NetLangTensor

/// The nodes, inputs, outputs and bindings of a model being checked.
struct ModelBuilder {
  /// Most tensor operations one model may have after unrolling (grammar.md section 4).
  static let maximumNodes = 100_000

  var name: String
  var span: SourceSpan
  var nodes: [CheckedNode] = []
  var inputs: [NodeRef] = []
  var inputNames: [String: SourceSpan] = [:]
  var outputs: [(name: String, node: NodeRef)] = []
  var outputNames: [String: SourceSpan] = [:]
  var bindings: [CheckedBinding] = []
  private var layerNames: Set<String> = []
  /// The next suffix to try for each base name, so a loop of n layers names them in O(n).
  private var nextSuffix: [String: Int] = [:]

  init(name: String, span: SourceSpan) {
    self.name = name
    self.span = span
  }

  var isFull: Bool { nodes.count >= Self.maximumNodes }

  /// Appends a node and returns its reference.
  mutating func add(
    _ op: LayerOp, inputs: [NodeRef], shape: Shape, span: SourceSpan, layerName: String?
  ) -> NodeRef {
    let ref = NodeRef(nodes.count)
    nodes.append(
      CheckedNode(op: op, inputs: inputs, shape: shape, span: span, layerName: layerName))
    return ref
  }

  /// The name `base` if free, otherwise the first free `base_2`, `base_3`, ....
  mutating func uniqueLayerName(_ base: String) -> String {
    var candidate = base
    var counter = nextSuffix[base] ?? 2
    while layerNames.contains(candidate) {
      candidate = "\(base)_\(counter)"
      counter += 1
    }
    if candidate != base { nextSuffix[base] = counter }
    layerNames.insert(candidate)
    return candidate
  }

  func finished() -> CheckedModel {
    CheckedModel(
      name: name, span: span, nodes: nodes, inputs: inputs, outputs: outputs, bindings: bindings)
  }
}
