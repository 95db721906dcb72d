// ONNXExporter: a checked model plus its weights → an ONNX model (opset 17), a few ONNX nodes
// per checked node; the batch axis is the symbolic "batch", so netlang axis k is ONNX axis k+1.

import NetLangTensor

/// A model that cannot be written as ONNX: the op (or parameter) concerned and why.
public struct ONNXExportError: Error, Equatable, Sendable, CustomStringConvertible {
  public var message: String
  /// The source of the checked node concerned, when there is one.
  public var span: SourceSpan?
  public init(_ message: String, span: SourceSpan? = nil) {
    self.message = message
    self.span = span
  }
  public var description: String { message }
}

/// Writes checked models as ONNX.
public enum ONNXExporter {
  /// The ONNX opset the exported nodes follow.
  public static let opset: Int64 = 17

  /// The ONNX model of `model`'s forward pass in evaluation form (dropout is the identity,
  /// batch normalisation uses the running statistics).
  /// - Parameter parameter: the values of a parameter or buffer by its PyTorch name
  ///   ("fc1.weight"), row-major in netlang's (= PyTorch's) layout; nil when missing.
  public static func export(
    _ model: CheckedModel, producerVersion: String = "",
    parameter: (String) -> [Float]?
  ) throws(ONNXExportError) -> ONNXModel {
    var values: [String: [Float]] = [:]
    for slot in model.parameterSlots { values[slot.name] = parameter(slot.name) }
    var exporter = Exporter(model: model, parameters: values)
    for index in model.nodes.indices { try exporter.lower(NodeRef(index)) }
    try exporter.finishOutputs()
    var onnx = ONNXModel(graph: exporter.builder.graph)
    onnx.opsetImports = [ONNXOpset(domain: "", version: opset)]
    onnx.producerVersion = producerVersion
    return onnx
  }
}

/// The state of one export: where each checked node's value lives in the ONNX graph.
private struct Exporter {
  let model: CheckedModel
  /// Parameter values by PyTorch name.
  let parameters: [String: [Float]]
  var builder: ONNXGraphBuilder
  /// The ONNX value holding each checked node.
  var values: [NodeRef: String] = [:]
  /// Checked nodes whose value has no batch axis (scalar constants).
  var unbatched: Set<NodeRef> = []
  /// The first output name of each node that is an output.
  let outputName: [NodeRef: String]

  init(model: CheckedModel, parameters: [String: [Float]]) {
    self.model = model
    self.parameters = parameters
    builder = ONNXGraphBuilder(name: model.name)
    var names: [NodeRef: String] = [:]
    for output in model.outputs where names[output.node] == nil {
      names[output.node] = output.name
    }
    outputName = names
  }

  /// The ONNX dims of a batched per-example shape.
  static func dims(_ shape: Shape) -> [ONNXValueInfo.Dimension] {
    [.parameter("batch")] + shape.dimensions.map { .value(Int64($0)) }
  }

  func fail(_ message: String, _ ref: NodeRef) -> ONNXExportError {
    ONNXExportError(message, span: model[ref].span)
  }

  /// The values of parameter `suffix` of the layer at `ref`, checked against its shape.
  func weights(_ ref: NodeRef, _ suffix: String) throws(ONNXExportError) -> (String, [Float], [Int])
  {
    guard let slot = model.parameterSlots(of: ref).first(where: { $0.suffix == suffix }) else {
      throw fail("internal: \(opName(ref)) has no parameter '\(suffix)'", ref)
    }
    guard let values = parameters[slot.name] else {
      throw fail("cannot export \(opName(ref)): no values for parameter '\(slot.name)'", ref)
    }
    guard values.count == slot.shape.elementCount else {
      throw fail(
        "cannot export \(opName(ref)): parameter '\(slot.name)' has \(values.count) values, "
          + "its shape \(slot.shape) needs \(slot.shape.elementCount)", ref)
    }
    return (slot.name, values, slot.shape.dimensions)
  }

  /// Adds a parameter as an initializer under its own name.
  mutating func initializer(_ ref: NodeRef, _ suffix: String) throws(ONNXExportError) -> String {
    let (name, values, dims) = try weights(ref, suffix)
    return builder.floats(name, dims: dims, values)
  }

  func opName(_ ref: NodeRef) -> String {
    let node = model[ref]
    let name = node.layerName.map { " '\($0)'" } ?? ""
    return "\(LayerOpNames.name(of: node.op))\(name)"
  }

  /// The ONNX name for the value of `ref`: the output's name for outputs, else a fresh one.
  mutating func name(for ref: NodeRef, _ prefix: String) -> String {
    outputName[ref] ?? builder.fresh("\(prefix)")
  }

  // MARK: Nodes

  mutating func lower(_ ref: NodeRef) throws(ONNXExportError) {
    let node = model[ref]
    let inputs = try node.inputs.map { (input) throws(ONNXExportError) -> String in
      guard let value = values[input] else { throw fail("internal: input not lowered", ref) }
      return value
    }
    let x = inputs.first ?? ""
    let inputShape = node.inputs.first.map { model[$0].shape.dimensions } ?? []
    let out = name(for: ref, LayerOpNames.name(of: node.op))
    func window(_ w: Window) -> [ONNXAttribute] {
      [
        ONNXAttribute("kernel_shape", .ints([Int64(w.kernel.0), Int64(w.kernel.1)])),
        ONNXAttribute("strides", .ints([Int64(w.stride.0), Int64(w.stride.1)])),
        ONNXAttribute(
          "pads",
          .ints([w.padding.0, w.padding.1, w.padding.0, w.padding.1].map(Int64.init))),
      ]
    }
    switch node.op {
    case .input(let inputName):
      builder.graph.inputs.append(ONNXValueInfo(name: inputName, dims: Exporter.dims(node.shape)))
      values[ref] = inputName
      return
    case .constant(let value):
      values[ref] = builder.floats(builder.fresh("constant"), dims: [], [Float(value)])
      unbatched.insert(ref)
      if outputName[ref] != nil {
        throw fail("cannot export a constant as a model output", ref)
      }
      return
    case .dense(_, let bias, _):
      let weight = try weights(ref, "weight")
      if inputShape.count == 1 {
        var gemmInputs = [x, builder.floats(weight.0, dims: weight.2, weight.1)]
        if bias { gemmInputs.append(try initializer(ref, "bias")) }
        builder.node(
          "Gemm", gemmInputs, output: out, attributes: [ONNXAttribute("transB", .int(1))])
      } else {
        // [B, ..., I]·[I, O]: MatMul broadcasts over the leading axes; Gemm would not.
        let (rows, columns) = (weight.2[0], weight.2[1])
        let w = builder.floats(
          "\(weight.0)/transposed", dims: [columns, rows],
          transposed(weight.1, rows: rows, columns: columns))
        if bias {
          let product = builder.node("MatMul", [x, w])
          builder.node("Add", [product, try initializer(ref, "bias")], output: out)
        } else {
          builder.node("MatMul", [x, w], output: out)
        }
      }
    case .conv2d(_, let w, let bias, _):
      var convInputs = [x, try initializer(ref, "weight")]
      if bias { convInputs.append(try initializer(ref, "bias")) }
      builder.node("Conv", convInputs, output: out, attributes: window(w))
    case .maxpool(let w):
      builder.node("MaxPool", [x], output: out, attributes: window(w))
    case .avgpool(let w):
      // netlang divides by kh·kw, counting padding as zeros.
      builder.node(
        "AveragePool", [x], output: out,
        attributes: window(w) + [ONNXAttribute("count_include_pad", .int(1))])
    case .flatten, .reshape:
      // 0 keeps the batch size from the input.
      let shape = builder.int64s(
        "shape", dims: [node.shape.rank + 1], [0] + node.shape.dimensions.map(Int64.init))
      builder.node("Reshape", [x, shape], output: out)
    case .concat(let axis):
      let aligned = try node.inputs.indices.map { (i) throws(ONNXExportError) -> String in
        guard !unbatched.contains(node.inputs[i]) else {
          throw fail("cannot export concat of a constant", ref)
        }
        return inputs[i]
      }
      builder.node(
        "Concat", aligned, output: out, attributes: [ONNXAttribute("axis", .int(Int64(axis + 1)))])
    case .dropout:
      builder.node("Identity", [x], output: out)
    case .batchnorm(_, let epsilon):
      let parameters = try ["weight", "bias", "running_mean", "running_var"].map {
        (suffix) throws(ONNXExportError) -> String in try initializer(ref, suffix)
      }
      builder.node(
        "BatchNormalization", [x] + parameters, output: out,
        attributes: [ONNXAttribute("epsilon", .float(Float(epsilon)))])
    case .embedding:
      let table = try initializer(ref, "weight")
      let ids = builder.node(
        "Cast", [x], attributes: [ONNXAttribute("to", .int(ONNXDataType.int64.rawValue))])
      builder.node(
        "Gather", [table, ids], output: out, attributes: [ONNXAttribute("axis", .int(0))])
    case .rnn(let units), .lstm(let units), .gru(let units):
      try recurrent(ref, x: x, units: units, inputShape: inputShape, output: out)
    case .last:
      guard inputShape.count >= 2 else {
        throw fail("cannot export last: its input \(Shape(inputShape)) has no time axis", ref)
      }
      let index = builder.int64s("last", dims: [], [-1])
      builder.node("Gather", [x, index], output: out, attributes: [ONNXAttribute("axis", .int(1))])
    case .relu:
      builder.node("Relu", [x], output: out)
    case .tanh:
      builder.node("Tanh", [x], output: out)
    case .sigmoid:
      builder.node("Sigmoid", [x], output: out)
    case .softmax:
      builder.node("Softmax", [x], output: out, attributes: [ONNXAttribute("axis", .int(-1))])
    case .leakyRelu(let slope):
      builder.node(
        "LeakyRelu", [x], output: out, attributes: [ONNXAttribute("alpha", .float(Float(slope)))])
    case .add, .subtract, .multiply, .divide:
      try elementwise(ref, inputs: inputs, output: out)
    }
    values[ref] = out
  }

  /// Add, Sub, Mul, Div.
  ///
  /// netlang broadcasts per-example shapes with the batch axis kept in
  /// front, so a batched operand of lower rank gets unit axes inserted after the batch axis
  /// (numpy would otherwise align its batch axis with a per-example one).
  mutating func elementwise(
    _ ref: NodeRef, inputs: [String], output: String
  ) throws(ONNXExportError) {
    let node = model[ref]
    guard node.inputs.count == 2 else {
      throw fail("internal: \(opName(ref)) needs two operands", ref)
    }
    if node.inputs.allSatisfy({ unbatched.contains($0) }) {
      throw fail("cannot export \(opName(ref)) of two constants (no batch axis)", ref)
    }
    let rank = node.shape.rank
    var operands: [String] = []
    for (i, input) in node.inputs.enumerated() {
      let operandRank = model[input].shape.rank
      if unbatched.contains(input) || operandRank == rank {
        operands.append(inputs[i])
      } else {
        operands.append(builder.unsqueeze(inputs[i], axes: Array(1...(rank - operandRank))))
      }
    }
    let opType: String
    switch node.op {
    case .add: opType = "Add"
    case .subtract: opType = "Sub"
    case .multiply: opType = "Mul"
    default: opType = "Div"
    }
    builder.node(opType, operands, output: output)
  }

  /// RNN, LSTM, GRU, with the layout and gate order ONNX expects.
  ///
  /// `[B, T, I]` → Transpose → `[T, B, I]` → op → Y `[T, 1, B, H]` →
  /// Squeeze → Transpose → `[B, T, H]`. Gate blocks are reordered from PyTorch's order
  /// (LSTM i f g o, GRU r z n) to ONNX's (LSTM i o f c, GRU z r h); B is [W_b, R_b].
  mutating func recurrent(
    _ ref: NodeRef, x: String, units: Int, inputShape: [Int], output: String
  ) throws(ONNXExportError) {
    let node = model[ref]
    guard inputShape.count == 2 else {
      throw fail(
        "cannot export \(opName(ref)): ONNX recurrent layers need a [time, features] input, "
          + "got \(Shape(inputShape))", ref)
    }
    let opType: String
    let order: [Int]
    var attributes = [ONNXAttribute("hidden_size", .int(Int64(units)))]
    switch node.op {
    case .lstm:
      (opType, order) = ("LSTM", [0, 3, 1, 2])
    case .gru:
      (opType, order) = ("GRU", [1, 0, 2])
      // PyTorch applies the reset gate after the recurrent matrix product.
      attributes.append(ONNXAttribute("linear_before_reset", .int(1)))
    default:
      (opType, order) = ("RNN", [0])
    }
    let gates = order.count
    func stacked(_ suffix: String) throws(ONNXExportError) -> (String, [Float], [Int]) {
      let (name, values, dims) = try weights(ref, suffix)
      return (name, reorderGateBlocks(values, blocks: gates, order: order), dims)
    }
    let wih = try stacked("weight_ih_l0")
    let whh = try stacked("weight_hh_l0")
    let bih = try stacked("bias_ih_l0")
    let bhh = try stacked("bias_hh_l0")
    let layer = node.layerName ?? opType
    let w = builder.floats("\(wih.0)/onnx", dims: [1] + wih.2, wih.1)
    let r = builder.floats("\(whh.0)/onnx", dims: [1] + whh.2, whh.1)
    let b = builder.floats("\(layer).bias/onnx", dims: [1, 2 * gates * units], bih.1 + bhh.1)
    let timeMajor = builder.transpose(x, perm: [1, 0, 2])
    let y = builder.node(opType, [timeMajor, w, r, b], attributes: attributes)
    let squeezed = builder.squeeze(y, axes: [1])
    _ = builder.transpose(squeezed, perm: [1, 0, 2], output: output)
  }

  /// Declares the graph outputs; an output that shares a node with an earlier one is an
  /// Identity of it.
  mutating func finishOutputs() throws(ONNXExportError) {
    for output in model.outputs {
      guard let value = values[output.node] else {
        throw ONNXExportError("internal: output '\(output.name)' was not exported")
      }
      if value != output.name { builder.node("Identity", [value], output: output.name) }
      builder.graph.outputs.append(
        ONNXValueInfo(name: output.name, dims: Exporter.dims(model[output.node].shape)))
    }
  }
}

/// The names layer ops have in the language, for messages.
enum LayerOpNames {
  static func name(of op: LayerOp) -> String {
    switch op {
    case .input: "input"
    case .constant: "constant"
    case .dense: "dense"
    case .conv2d: "conv2d"
    case .maxpool: "maxpool"
    case .avgpool: "avgpool"
    case .flatten: "flatten"
    case .reshape: "reshape"
    case .concat: "concat"
    case .dropout: "dropout"
    case .batchnorm: "batchnorm"
    case .embedding: "embedding"
    case .rnn: "rnn"
    case .lstm: "lstm"
    case .gru: "gru"
    case .last: "last"
    case .relu: "relu"
    case .tanh: "tanh"
    case .sigmoid: "sigmoid"
    case .softmax: "softmax"
    case .leakyRelu: "leaky_relu"
    case .add: "add"
    case .subtract: "subtract"
    case .multiply: "multiply"
    case .divide: "divide"
    }
  }
}
