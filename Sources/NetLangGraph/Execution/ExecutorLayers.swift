// ExecutorLayers: dispatch of the layers that keep state between forward and backward
// (conv2d, pooling, batchnorm, embedding, recurrent layers) to their kernels.

import NetLangTensor

extension Executor {
  func dispatchLayer(
    _ id: NodeID, _ node: Node, _ y: UnsafeMutablePointer<Float>, training: Bool
  ) throws(ExecutionError) {
    let batch = node.batched ? batchSize : 1
    let workspace = workspaces[id.rawValue]?.pointer
    func shape(_ k: Int) -> Shape { graph[node.inputs[k]].shape }

    switch node.op {
    case .conv2d(let window):
      guard let col = workspace else { break }
      let geo = ConvGeometry(input: shape(0), filters: shape(1)[0], window: window)
      FastConv.forward(
        input(node, 0), input(node, 1), node.inputs.count == 3 ? input(node, 2) : nil, y,
        workspace: col, batch: batch, geo, pool: pool)
    case .conv2dBackward(let window):
      guard let parts = workspace else { break }
      let geo = ConvGeometry(input: shape(0), filters: shape(1)[0], window: window)
      let weights = geo.filters * geo.patch
      FastConv.backward(
        input(node, 0), input(node, 1), input(node, 2),
        dx: plan.unreadInputGradients.contains(id.rawValue) ? nil : y, dWeight: parts,
        dBias: parts + weights, scratch: parts + weights + geo.filters,
        columns: plan.convForward[id.rawValue].flatMap { workspaces[$0]?.pointer }, batch: batch,
        geo, pool: pool)

    case .maxPool(let window) where FastPool.handles(window):
      let x = shape(0)
      FastPool.maxForward(
        input(node, 0), y, planes: batch * x[0], height: x[1], width: x[2], pool: pool)
    case .maxPoolGrad(let window) where FastPool.handles(window):
      let x = shape(0)
      FastPool.maxBackward(
        input(node, 0), input(node, 1), y, planes: batch * x[0], height: x[1], width: x[2],
        pool: pool)
    case .maxPool(let window):
      let x = shape(0)
      Pooling.maxForward(input(node, 0), y, planes: batch * x[0], height: x[1], width: x[2], window)
    case .avgPool(let window):
      let x = shape(0)
      Pooling.averageForward(
        input(node, 0), y, planes: batch * x[0], height: x[1], width: x[2], window)
    case .maxPoolGrad(let window):
      let x = shape(0)
      Pooling.maxBackward(
        input(node, 0), input(node, 1), y, planes: batch * x[0], height: x[1], width: x[2],
        window)
    case .avgPoolGrad(let window):
      Pooling.averageBackward(
        input(node, 0), y, planes: batch * node.shape[0], height: node.shape[1],
        width: node.shape[2], window)

    case .batchNorm(let momentum, let epsilon):
      guard let saved = workspace else { break }
      let x = shape(0)
      BatchNorm.forward(
        input(node, 0), gamma: input(node, 1), beta: input(node, 2),
        runningMean: input(node, 3), runningVariance: input(node, 4), y, saved: saved,
        batch: batch, channels: x[0], spatial: x.elementCount / x[0],
        momentum: Float(momentum), epsilon: Float(epsilon), training: training, pool: pool)
    case .batchNormBackward:
      guard let parts = workspace, let saved = workspaces[node.inputs[0].rawValue]?.pointer
      else { break }
      let x = shape(1)
      BatchNorm.backward(
        input(node, 1), gamma: input(node, 2), saved: saved, input(node, 3), dx: y,
        dGamma: parts, dBeta: parts + x[0], batch: batch, channels: x[0],
        spatial: x.elementCount / x[0], pool: pool)

    case .embedding:
      let table = shape(1)
      let rows = graph[node.inputs[0]].elementCount(batch: batchSize)
      if let bad = Embedding.forward(
        input(node, 0), input(node, 1), y, rows: rows, vocabulary: table[0], dimension: table[1])
      {
        throw .invalidIndex(node: id, value: bad)
      }
    case .embeddingGrad:
      let rows = graph[node.inputs[0]].elementCount(batch: batchSize)
      Embedding.backward(
        input(node, 0), input(node, 1), y, rows: rows, vocabulary: node.shape[0],
        dimension: node.shape[1])

    case .rnn, .lstm, .gru, .rnnBackward, .lstmBackward, .gruBackward:
      try dispatchRecurrent(id, node, y, training: training)

    default:
      break
    }
  }

  func dispatchRecurrent(
    _ id: NodeID, _ node: Node, _ y: UnsafeMutablePointer<Float>, training: Bool
  ) throws(ExecutionError) {
    let isBackward = node.op.isRecurrentBackward
    let x = graph[node.inputs[isBackward ? 1 : 0]].shape
    let wih = graph[node.inputs[isBackward ? 2 : 1]].shape
    let hidden = graph[node.inputs[isBackward ? 3 : 2]].shape[1]
    let geo = RecurrentGeometry(
      batch: batchSize, steps: x[0], inputs: x[1], hidden: hidden, gates: wih[0] / hidden)
    let workspace = workspaces[id.rawValue]?.pointer

    switch node.op {
    case .rnn:
      RNN.forward(
        input(node, 0), input(node, 1), input(node, 2), input(node, 3), input(node, 4), y, geo,
        pool: pool)
    case .lstm:
      guard let saved = workspace else { return }
      FastLSTM.forward(
        input(node, 0), input(node, 1), input(node, 2), input(node, 3), input(node, 4), y,
        saved: saved, geo, pool: pool)
    case .gru:
      guard let saved = workspace else { return }
      GRU.forward(
        input(node, 0), input(node, 1), input(node, 2), input(node, 3), input(node, 4), y,
        saved: saved, geo, pool: pool)
    case .rnnBackward, .lstmBackward, .gruBackward:
      guard let base = workspace else { return }
      let parts = RecurrentParts(base, geo)
      let forward = node.inputs[0].rawValue
      let h = values[forward].pointer
      let saved = workspaces[forward]?.pointer
      if node.op == .rnnBackward {
        RNN.backward(
          input(node, 1), h, input(node, 2), input(node, 3), input(node, 4), dx: y, parts: parts,
          geo, pool: pool)
      } else if let saved, node.op == .lstmBackward {
        FastLSTM.backward(
          input(node, 1), h, saved: saved, input(node, 2), input(node, 3), input(node, 4), dx: y,
          parts: parts, geo, pool: pool)
      } else if let saved {
        GRU.backward(
          input(node, 1), h, saved: saved, input(node, 2), input(node, 3), input(node, 4), dx: y,
          parts: parts, geo, pool: pool)
      }
    default:
      break
    }
  }
}
