// ExecutorDispatch: one node → one kernel call, for elementwise, structural, dense and loss
// ops. Layers with saved state (conv, pooling, batchnorm, embedding, recurrent) dispatch in
// ExecutorLayers.swift.

import NetLangTensor

extension Executor {
  /// The pointer of input `k` of `node`.
  @inline(__always)
  func input(_ node: Node, _ k: Int) -> UnsafeMutablePointer<Float> {
    values[node.inputs[k].rawValue].pointer
  }

  /// Runs an elementwise kernel over `0 ..< count` as `body(start, count)`, split across the
  /// pool when it is big enough.
  @inline(__always)
  func split(_ count: Int, _ body: (Int, Int) -> Void) {
    Parallel.forRanges(count, pool: pool, body)
  }

  /// Runs a row-wise kernel over `rows` rows of `columns` as `body(firstRow, rows)`.
  @inline(__always)
  func splitRows(_ rows: Int, columns: Int, _ body: (Int, Int) -> Void) {
    Parallel.forRanges(rows, elementsEach: columns, multiple: 1, pool: pool, body)
  }

  func dispatch(_ id: NodeID, training: Bool) throws(ExecutionError) {
    let node = graph.nodes[id.rawValue]
    let y = values[id.rawValue].pointer
    let count = node.elementCount(batch: batchSize)
    let batch = node.batched ? batchSize : 1
    /// Elements of input `k` for the current batch.
    func inputCount(_ k: Int) -> Int { graph[node.inputs[k]].elementCount(batch: batchSize) }
    /// Rows when input `k` is viewed as `[rows, last axis]`.
    func rows(_ k: Int) -> Int {
      let shape = graph[node.inputs[k]].shape
      return inputCount(k) / max(shape.dimensions.last ?? 1, 1)
    }

    switch node.op {
    case .input, .parameter:
      break
    case .constant(let value):
      y[0] = Float(value)

    case .dense:
      let w = graph[node.inputs[1]].shape
      // A fused activation (ExecutionPlan.fusedActivations) is written beside the output.
      let next = plan.activationFusedInto[id.rawValue]
      let activation =
        next < 0
        ? nil
        : Self.activationFunction(graph.nodes[next].op).map {
          Gemm.Activation($0, output: values[next].pointer, ldo: w[0])
        }
      FastDense.forward(
        input(node, 0), input(node, 1), node.inputs.count == 3 ? input(node, 2) : nil, y,
        rows: rows(0), inputs: w[1], outputs: w[0], activation: activation, pool: pool)
    case .add, .subtract, .multiply, .divide:
      guard let map = plan.broadcastMaps[id.rawValue] else { break }
      let a = input(node, 0), b = input(node, 1)
      switch node.op {
      case .add: Broadcast.binary(map, batch: batch, a, b, y) { $0 + $1 }
      case .subtract: Broadcast.binary(map, batch: batch, a, b, y) { $0 - $1 }
      case .multiply: Broadcast.binary(map, batch: batch, a, b, y) { $0 * $1 }
      default: Broadcast.binary(map, batch: batch, a, b, y) { $0 / $1 }
      }
    case .scale(let c):
      let x = input(node, 0)
      split(count) { Pointwise.scale(x + $0, by: Float(c), y + $0, count: $1) }
    case .relu:
      let x = input(node, 0)
      split(count) { Pointwise.relu(x + $0, y + $0, count: $1) }
    case .leakyRelu(let slope):
      let x = input(node, 0)
      split(count) { Pointwise.leakyRelu(x + $0, slope: Float(slope), y + $0, count: $1) }
    case .tanh:
      let x = input(node, 0)
      split(count) { VectorMath.tanh(x + $0, y + $0, count: $1) }
    case .sigmoid:
      let x = input(node, 0)
      split(count) { VectorMath.sigmoid(x + $0, y + $0, count: $1) }
    case .softmax:
      let classes = node.shape.dimensions.last ?? 1
      let x = input(node, 0)
      splitRows(count / classes, columns: classes) { first, rows in
        let offset = first &* classes
        NetLangTensor.Softmax.forward(x + offset, y + offset, rows: rows, columns: classes)
      }
    case .reshape:
      let x = input(node, 0)
      split(count) { Elementwise.copy(x + $0, y + $0, $1) }
    case .concat(let axis):
      let inner = node.shape.dimensions[(axis + 1)...].reduce(1, *)
      let outer = batch * node.shape.dimensions[..<axis].reduce(1, *)
      var start = 0
      for k in node.inputs.indices {
        let length = graph[node.inputs[k]].shape[axis]
        Structure.place(
          input(node, k), into: y, outer: outer, inner: inner, start: start, length: length,
          total: node.shape[axis])
        start += length
      }
    case .slice(let axis, let start, let length):
      let source = graph[node.inputs[0]].shape
      Structure.slice(
        input(node, 0), into: y, outer: batch * source.dimensions[..<axis].reduce(1, *),
        inner: source.dimensions[(axis + 1)...].reduce(1, *), start: start, length: length,
        total: source[axis])
    case .dropout(let rate):
      if training, rate > 0, let mask = workspaces[id.rawValue]?.pointer {
        Structure.dropoutForward(
          input(node, 0), y, mask: mask, count: count, rate: Float(rate), random: &random)
      } else {
        Elementwise.copy(input(node, 0), y, count)
        workspaces[id.rawValue]?.pointer.update(repeating: 1, count: count)
      }
    case .dropoutGrad:
      guard let mask = workspaces[node.inputs[0].rawValue]?.pointer else { break }
      let g = input(node, 1)
      split(count) { Structure.dropoutBackward(g + $0, mask: mask + $0, y + $0, count: $1) }
    case .lastStep:
      let source = graph[node.inputs[0]].shape
      Structure.lastStepForward(
        input(node, 0), y, batch: batch, steps: source[0], features: source[1])
    case .lastStepGrad:
      Structure.lastStepBackward(
        input(node, 0), y, batch: batch, steps: node.shape[0], features: node.shape[1])

    case .mseLoss:
      y[0] = Losses.mseForward(
        input(node, 0), input(node, 1), count: inputCount(0), batch: batchSize)
    case .bceLoss:
      y[0] = Losses.bceForward(input(node, 0), input(node, 1), count: inputCount(0))
    case .bceWithLogitsLoss:
      y[0] = Losses.bceWithLogitsForward(
        input(node, 0), input(node, 1), count: inputCount(0),
        terms: workspaces[id.rawValue]?.pointer, pool: pool)
    case .softmaxCrossEntropy:
      let classes = graph[node.inputs[0]].shape.dimensions.last ?? 1
      guard
        let loss = FastSoftmax.crossEntropyForward(
          input(node, 0), input(node, 1), rows: rows(0), classes: classes,
          losses: workspaces[id.rawValue]?.pointer, pool: pool)
      else { throw invalidLabel(node, id, rows: rows(0), classes: classes) }
      y[0] = loss
    case .accuracy:
      let classes = graph[node.inputs[0]].shape.dimensions.last ?? 1
      y[0] = FastSoftmax.accuracy(
        input(node, 0), input(node, 1), rows: rows(0), classes: classes, pool: pool)

    case .sumTo:
      guard let map = plan.broadcastMaps[id.rawValue] else { break }
      let gBatched = graph[node.inputs[0]].batched
      if gBatched, !node.batched, let c = map.suffixCount[0], c == count {
        // Bias gradients: column sums of g viewed as [batch · E / c, c].
        Pointwise.sumRows(
          input(node, 0), rows: batchSize * map.exampleCount / c, columns: c, into: y,
          pool: pool)
        break
      }
      Broadcast.sumTo(
        map, batch: graph[node.inputs[0]].batched ? batchSize : 1, input(node, 0), y,
        yCount: count)
    case .broadcastTo:
      guard let map = plan.broadcastMaps[id.rawValue] else { break }
      Broadcast.binary(map, batch: batch, input(node, 0), input(node, 0), y) { a, _ in a }
    case .denseInputGrad:
      let w = graph[node.inputs[1]].shape
      Dense.inputGradient(
        input(node, 0), input(node, 1), y, rows: rows(0), inputs: w[1], outputs: w[0], pool: pool)
    case .denseWeightGrad:
      Dense.weightGradient(
        input(node, 0), input(node, 1), y, rows: rows(0), inputs: node.shape[1],
        outputs: node.shape[0], consumer: gradientConsumers[id.rawValue], pool: pool)
    case .reluGrad:
      let x = input(node, 0), g = input(node, 1)
      split(count) { Pointwise.reluBackward(x + $0, g + $0, y + $0, count: $1) }
    case .leakyReluGrad(let slope):
      let x = input(node, 0), g = input(node, 1)
      split(count) {
        Pointwise.leakyReluBackward(x + $0, slope: Float(slope), g + $0, y + $0, count: $1)
      }
    case .tanhGrad:
      let x = input(node, 0), g = input(node, 1)
      split(count) { Pointwise.tanhBackward(x + $0, g + $0, y + $0, count: $1) }
    case .sigmoidGrad:
      let x = input(node, 0), g = input(node, 1)
      split(count) { Pointwise.sigmoidBackward(x + $0, g + $0, y + $0, count: $1) }
    case .softmaxGrad:
      let classes = node.shape.dimensions.last ?? 1
      let out = input(node, 0), g = input(node, 1)
      splitRows(count / classes, columns: classes) { first, rows in
        let offset = first &* classes
        NetLangTensor.Softmax.backward(
          output: out + offset, gradOutput: g + offset, gradInput: y + offset, rows: rows,
          columns: classes)
      }
    case .gradientPart:
      guard let offset = plan.partOffsets[id.rawValue],
        let parts = workspaces[node.inputs[0].rawValue]?.pointer
      else { break }
      let source = parts + offset
      split(count) { Elementwise.copy(source + $0, y + $0, $1) }
    case .mseLossGrad:
      let p = input(node, 0), t = input(node, 1), g = input(node, 2)[0]
      let batch = batchSize
      split(count) { Losses.mseBackward(p + $0, t + $0, g, y + $0, count: $1, batch: batch) }
    case .bceLossGrad:
      let p = input(node, 0), t = input(node, 1), g = input(node, 2)[0]
      split(count) { Losses.bceBackward(p + $0, t + $0, g, y + $0, count: $1, total: count) }
    case .bceWithLogitsLossGrad:
      let z = input(node, 0), t = input(node, 1), g = input(node, 2)[0]
      split(count) {
        Losses.bceWithLogitsBackward(z + $0, t + $0, g, y + $0, count: $1, total: count)
      }
    case .softmaxCrossEntropyGrad:
      let classes = node.shape.dimensions.last ?? 1
      guard
        FastSoftmax.crossEntropyBackward(
          input(node, 0), input(node, 1), input(node, 2)[0], y, rows: count / classes,
          classes: classes, pool: pool)
      else { throw invalidLabel(node, id, rows: count / classes, classes: classes) }

    case .conv2d, .maxPool, .avgPool, .batchNorm, .embedding, .rnn, .lstm, .gru,
      .conv2dBackward, .maxPoolGrad, .avgPoolGrad, .batchNormBackward, .embeddingGrad,
      .rnnBackward, .lstmBackward, .gruBackward:
      try dispatchLayer(id, node, y, training: training)
    }
  }

  /// The error for the first label of `node`'s second input that is not a class index.
  func invalidLabel(_ node: Node, _ id: NodeID, rows: Int, classes: Int) -> ExecutionError {
    let labels = input(node, 1)
    for r in 0..<rows where Softmax.label(labels[r], classes: classes) == nil {
      return .invalidIndex(node: id, value: labels[r])
    }
    return .invalidIndex(node: id, value: .nan)
  }
}
