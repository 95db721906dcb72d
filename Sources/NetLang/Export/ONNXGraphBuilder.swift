// ONNXGraphBuilder: appends ONNX nodes and initializers with unique value names; the
// exporter's helper for the few patterns it repeats (constants, unsqueeze, transpose).

/// Builds an `ONNXGraph` one node at a time.
///
/// Internal value names contain a `/`, which netlang identifiers cannot, so they never clash
/// with the model's input and output names; parameters keep their PyTorch names.
struct ONNXGraphBuilder {
  var graph: ONNXGraph
  private var counter = 0

  init(name: String) { graph = ONNXGraph(name: name) }

  /// A fresh value name, `prefix/N`.
  mutating func fresh(_ prefix: String) -> String {
    counter += 1
    return "\(prefix)/\(counter)"
  }

  /// Appends a node with one output; returns the output's name (`output`, or a fresh one).
  @discardableResult
  mutating func node(
    _ opType: String, _ inputs: [String], output: String? = nil,
    attributes: [ONNXAttribute] = []
  ) -> String {
    let name = output ?? fresh(opType)
    graph.nodes.append(
      ONNXNode(
        opType, inputs: inputs, outputs: [name], name: "\(opType)/\(graph.nodes.count)",
        attributes: attributes))
    return name
  }

  /// Adds a float initializer; returns its name.
  @discardableResult
  mutating func floats(_ name: String, dims: [Int], _ values: [Float]) -> String {
    graph.initializers.append(ONNXTensor(name: name, dims: dims, floats: values))
    return name
  }

  /// Adds an int64 initializer with a fresh name (`dims` [] for a scalar).
  mutating func int64s(_ prefix: String, dims: [Int], _ values: [Int64]) -> String {
    let name = fresh(prefix)
    graph.initializers.append(ONNXTensor(name: name, dims: dims, int64s: values))
    return name
  }

  /// `Unsqueeze` with `axes` given as an int64 input (opset 13 and later).
  mutating func unsqueeze(_ x: String, axes: [Int]) -> String {
    let axesName = int64s("axes", dims: [axes.count], axes.map(Int64.init))
    return node("Unsqueeze", [x, axesName])
  }

  /// `Squeeze` with `axes` given as an int64 input.
  mutating func squeeze(_ x: String, axes: [Int], output: String? = nil) -> String {
    let axesName = int64s("axes", dims: [axes.count], axes.map(Int64.init))
    return node("Squeeze", [x, axesName], output: output)
  }

  /// `Transpose` with permutation `perm`.
  mutating func transpose(_ x: String, perm: [Int], output: String? = nil) -> String {
    node(
      "Transpose", [x], output: output,
      attributes: [ONNXAttribute("perm", .ints(perm.map(Int64.init)))])
  }
}

/// Rearranges the row blocks of a gate-stacked matrix or vector: `order[k]` is the source
/// block of destination block k (PyTorch's gate order → ONNX's).
func reorderGateBlocks(_ values: [Float], blocks: Int, order: [Int]) -> [Float] {
  let size = values.count / blocks
  var result: [Float] = []
  result.reserveCapacity(values.count)
  for source in order { result += values[source * size..<(source + 1) * size] }
  return result
}

/// Transposes a row-major `[rows, columns]` matrix.
func transposed(_ values: [Float], rows: Int, columns: Int) -> [Float] {
  var result = [Float](repeating: 0, count: values.count)
  for r in 0..<rows {
    for c in 0..<columns { result[c * rows + r] = values[r * columns + c] }
  }
  return result
}
