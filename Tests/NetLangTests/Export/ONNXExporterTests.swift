// ONNXExporterTests: every exportable op exported and read back with the project's own reader:
// op types, attributes, initializer shapes and values (gates reordered by hand), batch dims.

import Testing

@testable import NetLang

/// The checked model `name` of `source`.
func checkedModel(_ source: String, _ name: String) throws -> CheckedModel {
  let result = check(source)
  return try #require(result.program?.model(named: name), "\(rendered(result))")
}

/// Parameter values that identify their position: element k of a parameter is k + offset.
func countingParameters(_ model: CheckedModel, offset: Float = 0) -> [String: [Float]] {
  var values: [String: [Float]] = [:]
  for slot in model.parameterSlots {
    values[slot.name] = (0..<slot.shape.elementCount).map { Float($0) + offset }
  }
  return values
}

/// Exports `model`, writes the bytes and reads them back; the read model must equal the
/// exported one.
func exportRoundTrip(
  _ model: CheckedModel, parameters: [String: [Float]]? = nil
) throws -> ONNXModel {
  let values = parameters ?? countingParameters(model)
  let exported = try ONNXExporter.export(model) { values[$0] }
  let read = try ONNXModel(bytes: exported.serialized())
  #expect(read == exported)
  return read
}

func opTypes(_ model: ONNXModel) -> [String] { model.graph.nodes.map(\.opType) }

func node(_ model: ONNXModel, _ opType: String) throws -> ONNXNode {
  try #require(model.graph.nodes.first { $0.opType == opType }, "no \(opType) node")
}

@Suite("ONNX export")
struct ONNXExporterTests {
  @Test("model header: IR 8, opset 17, producer netlang; inputs and outputs have a batch dim")
  func header() throws {
    let model = try checkedModel(
      """
      model M {
          input x: [2]
          output y = sigmoid(dense(tanh(dense(x, 3)), 1))
      }
      """, "M")
    let onnx = try exportRoundTrip(model)
    #expect(onnx.irVersion == 8)
    #expect(onnx.opsetImports == [ONNXOpset(domain: "", version: 17)])
    #expect(onnx.producerName == "netlang")
    #expect(
      onnx.graph.inputs == [ONNXValueInfo(name: "x", dims: [.parameter("batch"), .value(2)])])
    #expect(
      onnx.graph.outputs == [ONNXValueInfo(name: "y", dims: [.parameter("batch"), .value(1)])])
    #expect(opTypes(onnx) == ["Gemm", "Tanh", "Gemm", "Sigmoid"])
    #expect(onnx.graph.nodes.last?.outputs == ["y"])
    #expect(onnx.graph.nodes.first?.inputs.first == "x")
  }

  @Test("dense on a vector is Gemm(transB=1) with PyTorch's [out, in] weight as is")
  func denseVector() throws {
    let model = try checkedModel(
      "model M {\n input x: [3]\n output y = dense(x, 2, name: \"fc\")\n}", "M")
    let onnx = try exportRoundTrip(model)
    let gemm = try node(onnx, "Gemm")
    #expect(gemm.inputs == ["x", "fc.weight", "fc.bias"])
    #expect(gemm.attribute("transB") == .int(1))
    let weight = try #require(onnx.graph.initializer("fc.weight"))
    #expect(weight.dims == [2, 3])
    #expect(weight.dataType == .float)
    #expect(weight.floats == [0, 1, 2, 3, 4, 5])
    #expect(onnx.graph.initializer("fc.bias")?.floats == [0, 1])
  }

  @Test("dense on a sequence is MatMul by the transposed weight, then Add of the bias")
  func denseSequence() throws {
    let model = try checkedModel(
      "model M {\n input x: [4, 3]\n output y = dense(x, 2, name: \"fc\")\n}", "M")
    let onnx = try exportRoundTrip(model)
    #expect(opTypes(onnx) == ["MatMul", "Add"])
    let matMul = try node(onnx, "MatMul")
    let weight = try #require(onnx.graph.initializer(matMul.inputs[1]))
    // [[0, 1, 2], [3, 4, 5]] transposed.
    #expect(weight.dims == [3, 2])
    #expect(weight.floats == [0, 3, 1, 4, 2, 5])
    #expect(try node(onnx, "Add").inputs == [matMul.outputs[0], "fc.bias"])
  }

  @Test("conv2d, maxpool, avgpool: kernel, strides, pads; avgpool counts padding")
  func convolutionAndPooling() throws {
    let model = try checkedModel(
      """
      model M {
          input image: [1, 8, 8]
          h = conv2d(image, 3, [3, 2], stride: [1, 2], padding: [1, 0], bias: false, name: "c")
          output y = avgpool(maxpool(h, 2), [2, 1], stride: 1)
      }
      """, "M")
    let onnx = try exportRoundTrip(model)
    #expect(opTypes(onnx) == ["Conv", "MaxPool", "AveragePool"])
    let conv = try node(onnx, "Conv")
    #expect(conv.inputs == ["image", "c.weight"])
    #expect(conv.attribute("kernel_shape") == .ints([3, 2]))
    #expect(conv.attribute("strides") == .ints([1, 2]))
    #expect(conv.attribute("pads") == .ints([1, 0, 1, 0]))
    #expect(onnx.graph.initializer("c.weight")?.dims == [3, 1, 3, 2])
    let maxPool = try node(onnx, "MaxPool")
    #expect(maxPool.attribute("kernel_shape") == .ints([2, 2]))
    #expect(maxPool.attribute("strides") == .ints([2, 2]))
    let average = try node(onnx, "AveragePool")
    #expect(average.attribute("kernel_shape") == .ints([2, 1]))
    #expect(average.attribute("strides") == .ints([1, 1]))
    #expect(average.attribute("count_include_pad") == .int(1))
    // conv [3, 8, 4] (H 8 + 2 − 3 + 1, W (8 − 2)/2 + 1), maxpool [3, 4, 2], avgpool [3, 3, 2].
    #expect(
      onnx.graph.outputs.first?.dims == [.parameter("batch"), .value(3), .value(3), .value(2)])
  }

  @Test("flatten and reshape are Reshape to [0, dims...]; concat's axis moves past the batch")
  func structure() throws {
    let model = try checkedModel(
      """
      model M {
          input image: [2, 3, 4]
          a = flatten(image)
          b = reshape(image, [4, -1])
          output y = concat(a, flatten(b), axis: -1)
          output z = dropout(b, 0.5)
      }
      """, "M")
    let onnx = try exportRoundTrip(model)
    #expect(opTypes(onnx) == ["Reshape", "Reshape", "Reshape", "Concat", "Identity"])
    let shapes = onnx.graph.nodes.filter { $0.opType == "Reshape" }.map {
      onnx.graph.initializer($0.inputs[1])?.int64s ?? []
    }
    #expect(shapes == [[0, 24], [0, 4, 6], [0, 24]])
    #expect(try node(onnx, "Concat").attribute("axis") == .int(1))
    #expect(onnx.graph.initializer(onnx.graph.nodes[0].inputs[1])?.dataType == .int64)
  }

  @Test("batchnorm: BatchNormalization with weight, bias and running statistics, epsilon")
  func batchnorm() throws {
    let model = try checkedModel(
      """
      model M {
          input image: [2, 4, 4]
          h = batchnorm(image, eps: 0.001, name: "bn")
          output y = batchnorm(flatten(h), name: "bn2")
      }
      """, "M")
    let onnx = try exportRoundTrip(model)
    let norm = try node(onnx, "BatchNormalization")
    #expect(norm.inputs == ["image", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"])
    #expect(norm.attribute("epsilon") == .float(0.001))
    #expect(onnx.graph.initializer("bn.running_var")?.dims == [2])
    #expect(onnx.graph.initializer("bn2.running_mean")?.dims == [32])
  }

  @Test("embedding: Cast of the float ids to int64, then Gather of the table rows")
  func embedding() throws {
    let model = try checkedModel(
      "model M {\n input ids: [5]\n output e = embedding(ids, 7, 3, name: \"emb\")\n}", "M")
    let onnx = try exportRoundTrip(model)
    #expect(opTypes(onnx) == ["Cast", "Gather"])
    #expect(try node(onnx, "Cast").attribute("to") == .int(7))
    let gather = try node(onnx, "Gather")
    #expect(gather.inputs == ["emb.weight", onnx.graph.nodes[0].outputs[0]])
    #expect(gather.attribute("axis") == .int(0))
    #expect(onnx.graph.initializer("emb.weight")?.dims == [7, 3])
  }

  /// Exports a one-layer recurrent model whose parameter elements hold their gate block's
  /// number (PyTorch order); returns the op node and the W, R, B initializers' block numbers.
  func recurrent(_ layer: String, gates: Int) throws -> (ONNXNode, [[Float]], ONNXModel) {
    let model = try checkedModel(
      "model M {\n input x: [6, 2]\n output h = \(layer)(x, 3, name: \"r\")\n}", "M")
    var values: [String: [Float]] = [:]
    for slot in model.parameterSlots {
      let block = slot.shape.elementCount / gates
      values[slot.name] = (0..<slot.shape.elementCount).map { Float($0 / block) }
    }
    let onnx = try exportRoundTrip(model, parameters: values)
    #expect(opTypes(onnx).first == "Transpose")
    #expect(Array(opTypes(onnx).suffix(2)) == ["Squeeze", "Transpose"])
    let op = try #require(onnx.graph.nodes.first { ["RNN", "LSTM", "GRU"].contains($0.opType) })
    #expect(op.attribute("hidden_size") == .int(3))
    let tensors = try op.inputs[1...3].map { try #require(onnx.graph.initializer($0)) }
    let rows = Int64(gates * 3)
    let expectedDims: [[Int64]] = [[1, rows, 2], [1, rows, 3], [1, 2 * rows]]
    #expect(tensors.map(\.dims) == expectedDims)
    // One block number per gate block (B holds W's biases, then R's).
    let blocks = tensors.map { (tensor: ONNXTensor) -> [Float] in
      let values = tensor.floats
      let count = tensor.dims.count == 2 ? 2 * gates : gates
      let size = values.count / count
      return stride(from: 0, to: values.count, by: size).map { values[$0] }
    }
    #expect(try node(onnx, "Transpose").attribute("perm") == .ints([1, 0, 2]))
    let squeeze = try node(onnx, "Squeeze")
    #expect(onnx.graph.initializer(squeeze.inputs[1])?.int64s == [1])
    return (op, blocks, onnx)
  }

  @Test("lstm: gates reordered from PyTorch's i f g o to ONNX's i o f c")
  func lstm() throws {
    let (op, blocks, _) = try recurrent("lstm", gates: 4)
    #expect(op.opType == "LSTM")
    #expect(blocks == [[0, 3, 1, 2], [0, 3, 1, 2], [0, 3, 1, 2, 0, 3, 1, 2]])
  }

  @Test("gru: gates reordered from r z n to z r h, linear_before_reset = 1")
  func gru() throws {
    let (op, blocks, _) = try recurrent("gru", gates: 3)
    #expect(op.opType == "GRU")
    #expect(op.attribute("linear_before_reset") == .int(1))
    #expect(blocks == [[1, 0, 2], [1, 0, 2], [1, 0, 2, 1, 0, 2]])
  }

  @Test("rnn: one block, tanh (ONNX's default activation)")
  func rnn() throws {
    let (op, blocks, onnx) = try recurrent("rnn", gates: 1)
    #expect(op.opType == "RNN")
    #expect(op.attribute("activations") == nil)
    #expect(blocks == [[0], [0], [0, 0]])
    #expect(onnx.graph.outputs.first?.dims == [.parameter("batch"), .value(6), .value(3)])
  }

  @Test("last: Gather of index -1 (a scalar) on the time axis")
  func last() throws {
    let model = try checkedModel(
      "model M {\n input x: [6, 2]\n output y = last(x)\n}", "M")
    let onnx = try exportRoundTrip(model)
    let gather = try node(onnx, "Gather")
    #expect(gather.attribute("axis") == .int(1))
    let index = try #require(onnx.graph.initializer(gather.inputs[1]))
    #expect(index.dims == [])
    #expect(index.int64s == [-1])
  }

  @Test("activations: Relu, Tanh, Sigmoid, Softmax(axis -1), LeakyRelu(alpha)")
  func activations() throws {
    let model = try checkedModel(
      """
      model M {
          input x: [4]
          output y = softmax(leaky_relu(sigmoid(tanh(relu(x))), slope: 0.2))
      }
      """, "M")
    let onnx = try exportRoundTrip(model)
    #expect(opTypes(onnx) == ["Relu", "Tanh", "Sigmoid", "LeakyRelu", "Softmax"])
    #expect(try node(onnx, "LeakyRelu").attribute("alpha") == .float(0.2))
    #expect(try node(onnx, "Softmax").attribute("axis") == .int(-1))
  }

  @Test("arithmetic: scalars become initializers; lower-rank operands get unit axes after batch")
  func arithmetic() throws {
    let model = try checkedModel(
      """
      model M {
          input a: [3, 4]
          input b: [4]
          output y = (a + b) * 0.5 - b / 2
      }
      """, "M")
    let onnx = try exportRoundTrip(model)
    #expect(opTypes(onnx) == ["Unsqueeze", "Add", "Mul", "Div", "Unsqueeze", "Sub"])
    let unsqueeze = try node(onnx, "Unsqueeze")
    #expect(unsqueeze.inputs[0] == "b")
    #expect(onnx.graph.initializer(unsqueeze.inputs[1])?.int64s == [1])
    let mul = try node(onnx, "Mul")
    let half = try #require(onnx.graph.initializer(mul.inputs[1]))
    #expect(half.dims == [])
    #expect(half.floats == [0.5])
    let div = try node(onnx, "Div")
    #expect(div.inputs[0] == "b")
    #expect(onnx.graph.initializer(div.inputs[1])?.floats == [2])
    #expect(onnx.graph.inputs.map(\.name) == ["a", "b"])
  }

  @Test("two outputs of one node: the second is an Identity of the first")
  func sharedOutput() throws {
    let model = try checkedModel(
      "model M {\n input x: [2]\n h = relu(x)\n output y = h\n output z = h\n}", "M")
    let onnx = try exportRoundTrip(model)
    #expect(opTypes(onnx) == ["Relu", "Identity"])
    #expect(onnx.graph.nodes[1].inputs == ["y"])
    #expect(onnx.graph.outputs.map(\.name) == ["y", "z"])
  }
}
