// ShapeInference: the one shape rule per op, used by GraphBuilder when a node is appended
// and by GraphVerifier when a graph is checked. Shapes are per example plus a batched flag.

import NetLangTensor

/// A value's static type: per-example shape and whether the batch dimension is in front.
public struct ValueType: Hashable, Sendable {
  public var shape: Shape
  public var batched: Bool
  public init(_ shape: Shape, batched: Bool) {
    self.shape = shape
    self.batched = batched
  }
}

enum ShapeInference {
  /// The output type of `op` applied to `inputs`.
  ///
  /// Leaves, `reshape` and `sumTo` take their
  /// type from `declared` (the builder's argument); the rule only checks it.
  static func infer(
    _ op: Op, _ inputs: [NodeID], in graph: Graph, declared: ValueType? = nil
  ) throws(GraphError) -> ValueType {
    for input in inputs where input.rawValue < 0 || input.rawValue >= graph.nodes.count {
      throw .invalidInput(input)
    }
    let types = inputs.map { ValueType(graph[$0].shape, batched: graph[$0].batched) }
    let shapes = types.map(\.shape)
    func arity(_ counts: Int...) throws(GraphError) {
      guard counts.contains(types.count) else {
        throw .arity(
          op: op.name, expected: counts.map(String.init).joined(separator: " or "),
          got: types.count)
      }
    }
    func mismatch(_ reason: String) -> GraphError {
      .shapeMismatch(op: op.name, shapes: shapes, reason: reason)
    }
    func same(_ type: ValueType) -> ValueType { type }

    switch op {
    case .input, .parameter, .constant:
      try arity(0)
      guard let declared else { throw mismatch("a leaf needs a declared shape") }
      return declared

    case .dense:
      try arity(2, 3)
      let x = shapes[0], w = shapes[1]
      guard x.rank >= 1, w.rank == 2, x[x.rank - 1] == w[1] else {
        throw mismatch("need [..., I] and [O, I]")
      }
      if types.count == 3, shapes[2] != [w[0]] { throw mismatch("bias must be [O]") }
      return ValueType(Shape(x.dimensions.dropLast() + [w[0]]), batched: types[0].batched)

    case .add, .subtract, .multiply, .divide:
      try arity(2)
      guard let shape = broadcast(shapes[0], shapes[1]) else {
        throw mismatch("not broadcastable")
      }
      return ValueType(shape, batched: types[0].batched || types[1].batched)

    case .scale, .relu, .leakyRelu, .tanh, .sigmoid, .dropout:
      try arity(1)
      return types[0]

    case .softmax:
      try arity(1)
      guard shapes[0].rank >= 1 else { throw mismatch("softmax needs an axis") }
      return types[0]

    case .reshape:
      try arity(1)
      guard let declared, declared.shape.elementCount == shapes[0].elementCount,
        declared.batched == types[0].batched
      else { throw mismatch("element count must be kept") }
      return declared

    case .concat(let axis):
      guard !types.isEmpty else { throw .arity(op: op.name, expected: "≥ 1", got: 0) }
      let first = shapes[0]
      guard axis >= 0, axis < first.rank else { throw mismatch("axis out of range") }
      var total = 0
      for (shape, type) in zip(shapes, types) {
        guard shape.rank == first.rank, type.batched == types[0].batched,
          (0..<first.rank).allSatisfy({ $0 == axis || shape[$0] == first[$0] })
        else { throw mismatch("shapes differ off the concat axis") }
        total += shape[axis]
      }
      var dims = first.dimensions
      dims[axis] = total
      return ValueType(Shape(dims), batched: types[0].batched)

    case .lastStep:
      try arity(1)
      guard shapes[0].rank == 2 else { throw mismatch("need [T, N]") }
      return ValueType([shapes[0][1]], batched: types[0].batched)

    case .conv2d(let window):
      try arity(2, 3)
      let x = shapes[0], w = shapes[1]
      guard x.rank == 3, w.rank == 4, w[1] == x[0], w[2] == window.kernelHeight,
        w[3] == window.kernelWidth
      else { throw mismatch("need [C, H, W] and [F, C, kh, kw]") }
      if types.count == 3, shapes[2] != [w[0]] { throw mismatch("bias must be [F]") }
      let oh = window.outputHeight(x[1]), ow = window.outputWidth(x[2])
      guard oh >= 1, ow >= 1 else { throw mismatch("window larger than input") }
      return ValueType([w[0], oh, ow], batched: types[0].batched)

    case .maxPool(let window), .avgPool(let window):
      try arity(1)
      let x = shapes[0]
      guard x.rank == 3 else { throw mismatch("need [C, H, W]") }
      let oh = window.outputHeight(x[1]), ow = window.outputWidth(x[2])
      guard oh >= 1, ow >= 1 else { throw mismatch("window larger than input") }
      return ValueType([x[0], oh, ow], batched: types[0].batched)

    case .batchNorm:
      try arity(5)
      let x = shapes[0]
      guard x.rank == 1 || x.rank == 3, types[0].batched else {
        throw mismatch("need batched [N] or [C, H, W]")
      }
      guard shapes[1...].allSatisfy({ $0 == [x[0]] }) else {
        throw mismatch("statistics must be [N] or [C]")
      }
      return types[0]

    case .embedding:
      try arity(2)
      guard shapes[1].rank == 2 else { throw mismatch("table must be [V, D]") }
      return ValueType(Shape(shapes[0].dimensions + [shapes[1][1]]), batched: types[0].batched)

    case .rnn, .lstm, .gru:
      try arity(5)
      let gates = op == .rnn ? 1 : (op == .lstm ? 4 : 3)
      let x = shapes[0], wih = shapes[1]
      guard x.rank == 2, wih.rank == 2, wih[0] % gates == 0, wih[1] == x[1] else {
        throw mismatch("need [T, I] and W_ih [\(gates)H, I]")
      }
      let hidden = wih[0] / gates
      guard shapes[2] == [wih[0], hidden], shapes[3] == [wih[0]], shapes[4] == [wih[0]] else {
        throw mismatch("W_hh must be [\(gates)H, H] and biases [\(gates)H]")
      }
      return ValueType([x[0], hidden], batched: types[0].batched)

    case .mseLoss, .bceLoss, .bceWithLogitsLoss:
      try arity(2)
      // Equal element counts suffice ([1] against []): the kernels work on flat buffers.
      guard shapes[0].elementCount == shapes[1].elementCount, types[0].batched,
        types[1].batched
      else { throw mismatch("prediction and target must have as many elements") }
      return ValueType([], batched: false)

    case .softmaxCrossEntropy, .accuracy:
      try arity(2)
      let logits = shapes[0]
      // One label per row of logits: shape [T] for [T, C] (or [T, 1], [] for [C], ...).
      guard logits.rank >= 1, types[0].batched, types[1].batched,
        shapes[1].elementCount * max(logits[logits.rank - 1], 1) == logits.elementCount
      else { throw mismatch("need one label per row of logits") }
      return ValueType([], batched: false)

    case .sumTo:
      try arity(1)
      guard let declared, let back = broadcast(declared.shape, shapes[0]),
        back == shapes[0], declared.batched == false || types[0].batched
      else { throw mismatch("target does not broadcast to the gradient") }
      return declared
    case .broadcastTo:
      try arity(1)
      guard let declared, let forward = broadcast(shapes[0], declared.shape),
        forward == declared.shape, declared.batched || !types[0].batched
      else { throw mismatch("input does not broadcast to the target") }
      return declared

    case .denseInputGrad:
      try arity(2)
      return ValueType(
        Shape(shapes[0].dimensions.dropLast() + [shapes[1][1]]), batched: types[0].batched)
    case .denseWeightGrad:
      try arity(2)
      return ValueType(
        [shapes[0].dimensions.last ?? 1, shapes[1].dimensions.last ?? 1],
        batched: false)
    case .reluGrad, .leakyReluGrad, .tanhGrad, .sigmoidGrad, .softmaxGrad:
      try arity(2)
      guard types[0] == types[1] else { throw mismatch("value and gradient differ") }
      return types[1]
    case .slice(let axis, let start, let length):
      try arity(1)
      guard axis < shapes[0].rank, start >= 0, start + length <= shapes[0][axis] else {
        throw mismatch("slice out of range")
      }
      var dims = shapes[0].dimensions
      dims[axis] = length
      return ValueType(Shape(dims), batched: types[0].batched)
    case .dropoutGrad:
      try arity(2)
      return types[1]
    case .lastStepGrad:
      try arity(1)
      guard let declared else { throw mismatch("needs the sequence shape") }
      return declared
    case .conv2dBackward, .batchNormBackward, .rnnBackward, .lstmBackward, .gruBackward:
      try arity(op == .batchNormBackward ? 4 : (op.isRecurrentBackward ? 5 : 3))
      return types[op.isRecurrentBackward || op == .batchNormBackward ? 1 : 0]
    case .maxPoolGrad:
      try arity(2)
      return types[0]
    case .avgPoolGrad:
      try arity(1)
      guard let declared else { throw mismatch("needs the input shape") }
      return declared
    case .embeddingGrad:
      try arity(1, 2)
      guard let declared else { throw mismatch("needs the table shape") }
      return declared
    case .gradientPart(let index):
      try arity(1)
      let parts = partTypes(of: inputs[0], in: graph)
      guard index >= 0, index < parts.count else { throw mismatch("no such part") }
      return parts[index]
    case .mseLossGrad, .softmaxCrossEntropyGrad, .bceLossGrad, .bceWithLogitsLossGrad:
      try arity(3)
      return types[0]
    }
  }

  /// Numpy broadcasting of two shapes aligned from the right, or nil.
  static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
    let rank = max(a.rank, b.rank)
    var dims = [Int](repeating: 1, count: rank)
    for axis in 0..<rank {
      let da = axis < rank - a.rank ? 1 : a[axis - (rank - a.rank)]
      let db = axis < rank - b.rank ? 1 : b[axis - (rank - b.rank)]
      guard da == db || da == 1 || db == 1 else { return nil }
      dims[axis] = max(da, db)
    }
    return Shape(dims)
  }

  /// The workspace parts a multi-result backward node leaves (parameter gradients), in order.
  static func partTypes(of id: NodeID, in graph: Graph) -> [ValueType] {
    let node = graph[id]
    func type(_ input: Int) -> ValueType {
      ValueType(graph[node.inputs[input]].shape, batched: false)
    }
    switch node.op {
    case .conv2dBackward:
      let filters = graph[node.inputs[1]].shape[0]
      return [type(1), ValueType([filters], batched: false)]
    case .batchNormBackward:
      return [type(2), type(2)]
    case .rnnBackward, .lstmBackward, .gruBackward:
      let rows = graph[node.inputs[2]].shape[0]
      let bias = ValueType([rows], batched: false)
      return [type(2), type(3), bias, bias]
    default:
      return []
    }
  }
}

extension Op {
  var isRecurrentBackward: Bool {
    switch self {
    case .rnnBackward, .lstmBackward, .gruBackward: true
    default: false
    }
  }
}
