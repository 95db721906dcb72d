// ModelOperations: applying a tensor built-in (grammar.md section 5) to checked arguments:
// the shape rule from `ShapeRules`, the `LayerOp` with its resolved attributes and, for
// layers with parameters, the layer name.

import NetLangTensor

extension Checker {
  /// Applies a model built-in whose arguments have been matched and kind-checked.
  mutating func applyModelBuiltin(_ name: String, _ args: Arguments) -> Value {
    let span = args.callSpan
    let explicitName = args["name"].flatMap { value -> String? in
      if case .string(let text) = value { return text }
      return nil
    }
    if explicitName?.isEmpty == true {
      report(
        SemanticDiagnostics.wrongKind(
          expected: "a non-empty string", found: .string(""), parameter: "name", callee: name,
          at: args.span("name")))
      return .invalid
    }
    if name == "concat" { return applyConcat(args) }
    if name == "mirror" { return applyMirror(args) }
    guard case .tensor(let input, let shape) = args[name == "embedding" ? "ids" : "x"] else {
      return .invalid
    }
    do throws(ShapeError) {
      switch name {
      case "relu", "tanh", "sigmoid", "logistic":
        let op: LayerOp = name == "relu" ? .relu : name == "tanh" ? .tanh : .sigmoid
        return makeNode(op, inputs: [input], shape: shape, span: span)
      case "leaky_relu":
        return makeNode(
          .leakyRelu(slope: args["slope"]?.number ?? 0.01), inputs: [input], shape: shape,
          span: span)
      case "softmax":
        return makeNode(.softmax, inputs: [input], shape: try ShapeRules.softmax(shape), span: span)
      case "flatten":
        return makeNode(.flatten, inputs: [input], shape: try ShapeRules.flatten(shape), span: span)
      case "last":
        return makeNode(.last, inputs: [input], shape: try ShapeRules.last(shape), span: span)
      case "reshape":
        guard case .list(let items) = args["shape"] else { return .invalid }
        let target = items.compactMap(\.integer)
        return makeNode(
          .reshape, inputs: [input], shape: try ShapeRules.reshape(shape, to: target), span: span)
      case "dropout":
        return makeNode(
          .dropout(rate: args["rate"]?.number ?? 0), inputs: [input], shape: shape, span: span)
      case "dense":
        let units = args["units"]?.integer ?? 1
        let result = try ShapeRules.dense(shape, units: units)
        let op = LayerOp.dense(
          units: units, bias: args["bias"] != .boolean(false), initializer: initializer(args))
        return makeLayer(op, name, explicitName, input, result, span)
      case "conv2d":
        let kernel = args["kernel"]?.pair ?? (1, 1)
        let stride = args["stride"]?.pair ?? (1, 1)
        let padding = args["padding"]?.pair ?? (0, 0)
        let filters = args["filters"]?.integer ?? 1
        let result = try ShapeRules.conv2d(
          shape, filters: filters, kernel: kernel, stride: stride, padding: padding)
        let op = LayerOp.conv2d(
          filters: filters, window: Window(kernel: kernel, stride: stride, padding: padding),
          bias: args["bias"] != .boolean(false), initializer: initializer(args))
        return makeLayer(op, name, explicitName, input, result, span)
      case "maxpool", "avgpool":
        let size = args["size"]?.pair ?? (1, 1)
        let stride = args["stride"]?.pair ?? size
        let result = try ShapeRules.pool(name, shape, size: size, stride: stride)
        let window = Window(kernel: size, stride: stride, padding: (0, 0))
        let op: LayerOp = name == "maxpool" ? .maxpool(window) : .avgpool(window)
        return makeNode(op, inputs: [input], shape: result, span: span)
      case "batchnorm":
        let result = try ShapeRules.batchnorm(shape)
        let op = LayerOp.batchnorm(
          momentum: args["momentum"]?.number ?? 0.1, epsilon: args["eps"]?.number ?? 1e-5)
        return makeLayer(op, name, explicitName, input, result, span)
      case "embedding":
        let vocabulary = args["vocab"]?.integer ?? 1
        let dimension = args["dim"]?.integer ?? 1
        let result = try ShapeRules.embedding(shape, vocabulary: vocabulary, dimension: dimension)
        let op = LayerOp.embedding(vocabulary: vocabulary, dimension: dimension)
        return makeLayer(op, name, explicitName, input, result, span)
      case "rnn", "lstm", "gru":
        let units = args["units"]?.integer ?? 1
        let result = try ShapeRules.recurrent(name, shape, units: units)
        let op: LayerOp =
          name == "rnn"
          ? .rnn(units: units) : name == "lstm" ? .lstm(units: units) : .gru(units: units)
        return makeLayer(op, name, explicitName, input, result, span)
      default:
        return .invalid
      }
    } catch {
      report(
        SemanticDiagnostics.shapeFailure(
          error, at: args.calleeSpan, operand: args.span(name == "embedding" ? "ids" : "x"),
          operandShape: shape))
      return .invalid
    }
  }

  /// A node for a layer with parameters, named per grammar.md 5.6.
  private mutating func makeLayer(
    _ op: LayerOp, _ opName: String, _ explicitName: String?, _ input: NodeRef, _ shape: Shape,
    _ span: SourceSpan
  ) -> Value {
    let inputShape: Shape = builder.map { $0.nodes[input.rawValue].shape } ?? []
    let count = op.parameterCount(input: inputShape)
    if count > ShapeRules.maximumElements {
      report(SemanticDiagnostics.layerTooLarge(opName, parameters: count, at: span))
      return .invalid
    }
    let name = layerName(for: opName, explicit: explicitName)
    return makeNode(op, inputs: [input], shape: shape, span: span, layerName: name)
  }

  /// `init:` and `std:` as an `InitSpec`.
  private func initializer(_ args: Arguments) -> InitSpec {
    guard case .string(let text) = args["init"] else { return .pytorchDefault }
    switch text {
    case "xavier": return .xavier
    case "kaiming": return .kaiming
    case "normal": return .normal(std: args["std"]?.number ?? 0.01)
    case "zeros": return .zeros
    default: return .pytorchDefault
    }
  }

  /// `mirror(code, to: input, activation: "sigmoid")`: the decoder of an encoder. Walks back
  /// from `code` to `to` through dense layers (and activations or dropout between them) and
  /// appends, in reverse order, one dense layer per encoder layer with input and output sizes
  /// swapped, each followed by the activation. Decoder layer `mirror_<encoder layer>` starts as
  /// the transpose of its encoder layer.
  private mutating func applyMirror(_ args: Arguments) -> Value {
    guard case .tensor(let code, _) = args["x"], case .tensor(let target, let targetShape) = args["to"],
      let builder
    else { return .invalid }
    var encoder: [NodeRef] = []
    var current = code
    while current != target {
      let node = builder.nodes[current.rawValue]
      switch node.op {
      case .dense:
        encoder.append(current)
      case .sigmoid, .relu, .tanh, .leakyRelu, .dropout:
        break
      default:
        report(
          SemanticDiagnostics.mirrorPath(
            found: node.op, at: args.span("x"), note: node.span))
        return .invalid
      }
      guard let next = node.inputs.first else {
        report(SemanticDiagnostics.mirrorPath(found: node.op, at: args.span("x"), note: node.span))
        return .invalid
      }
      current = next
    }
    guard !encoder.isEmpty else {
      report(SemanticDiagnostics.mirrorPath(found: nil, at: args.span("x"), note: nil))
      return .invalid
    }
    let activation: LayerOp?
    switch args["activation"] {
    case .string("relu"): activation = .relu
    case .string("tanh"): activation = .tanh
    case .string("none"): activation = nil
    default: activation = .sigmoid
    }
    var value = code
    var shape = builder.nodes[code.rawValue].shape
    for layer in encoder {
      let node = builder.nodes[layer.rawValue]
      guard let input = node.inputs.first, let encoderName = node.layerName else { continue }
      let units = builder.nodes[input.rawValue].shape.dimensions.last ?? 1
      let result: Shape
      do throws(ShapeError) {
        result = try ShapeRules.dense(shape, units: units)
      } catch {
        report(SemanticDiagnostics.shapeFailure(error, at: args.calleeSpan))
        return .invalid
      }
      let op = LayerOp.dense(units: units, bias: true, initializer: .mirrorOf(encoderName))
      guard case .tensor(let made, let madeShape) = makeLayer(
        op, "dense", "mirror_" + encoderName, value, result, args.callSpan)
      else { return .invalid }
      value = made
      shape = madeShape
      if let activation {
        guard case .tensor(let activated, _) = makeNode(
          activation, inputs: [value], shape: shape, span: args.callSpan)
        else { return .invalid }
        value = activated
      }
    }
    if shape.elementCount != targetShape.elementCount {
      report(
        SemanticDiagnostics.shapeFailure(
          .notBroadcastable(shape, targetShape), at: args.calleeSpan))
      return .invalid
    }
    return .tensor(value, shape)
  }

  /// `concat(a, b, ..., axis: -1)`.
  private mutating func applyConcat(_ args: Arguments) -> Value {
    var nodes: [NodeRef] = []
    var shapes: [Shape] = []
    for argument in args.extra {
      guard case .tensor(let node, let shape) = argument.value else { return .invalid }
      nodes.append(node)
      shapes.append(shape)
    }
    guard !nodes.isEmpty else {
      report(
        SemanticDiagnostics.missingArgument(
          "x", callee: "concat", at: args.calleeSpan, signature: ["a", "b", "...", "axis"]))
      return .invalid
    }
    let axis = args["axis"]?.integer ?? -1
    do throws(ShapeError) {
      let result = try ShapeRules.concat(shapes, axis: axis)
      let resolved = try ShapeRules.normalizedAxis(axis, rank: shapes[0].rank)
      return makeNode(.concat(axis: resolved), inputs: nodes, shape: result, span: args.callSpan)
    } catch {
      report(SemanticDiagnostics.shapeFailure(error, at: args.calleeSpan))
      return .invalid
    }
  }
}
