// VJPRules: the gradient rule of every op, in one exhaustive switch. Given a node and the
// gradient of the loss with respect to its output, append the nodes that compute the
// gradient with respect to each input.

import NetLangTensor

enum VJPRules {
  /// Gradient nodes for each input of `id` given its upstream gradient `g`; nil where no
  /// gradient flows or `needed[i]` is false.
  static func gradients(
    of id: NodeID, upstream g: NodeID, needed: [Bool], builder b: inout GraphBuilder
  ) throws(GraphError) -> [NodeID?] {
    let node = b.graph[id]
    let x = node.inputs
    func type(_ n: NodeID) -> ValueType { ValueType(b.graph[n].shape, batched: b.graph[n].batched) }
    /// g summed back to the shape of `input` (a no-op when the types agree).
    func sumTo(_ grad: NodeID, like input: NodeID) throws(GraphError) -> NodeID {
      type(grad) == type(input) ? grad : try b.append(.sumTo, [grad], declared: type(input))
    }
    func ifNeeded(_ i: Int, _ make: () throws(GraphError) -> NodeID) throws(GraphError) -> NodeID? {
      needed[i] ? try make() : nil
    }
    func parts(_ backward: NodeID, from first: Int) throws(GraphError) -> [NodeID?] {
      var result: [NodeID?] = []
      for i in first..<x.count {
        result.append(
          try ifNeeded(i) { () throws(GraphError) in
            try b.append(.gradientPart(index: i - first), [backward])
          })
      }
      return result
    }

    switch node.op {
    case .input, .parameter, .constant:
      return []

    case .dense:
      var result: [NodeID?] = [
        try ifNeeded(0) { () throws(GraphError) in try b.append(.denseInputGrad, [g, x[1]]) },
        try ifNeeded(1) { () throws(GraphError) in try b.append(.denseWeightGrad, [g, x[0]]) },
      ]
      if x.count == 3 {
        result.append(try ifNeeded(2) { () throws(GraphError) in try sumTo(g, like: x[2]) })
      }
      return result
    case .add:
      return [
        try ifNeeded(0) { () throws(GraphError) in try sumTo(g, like: x[0]) },
        try ifNeeded(1) { () throws(GraphError) in try sumTo(g, like: x[1]) },
      ]
    case .subtract:
      return [
        try ifNeeded(0) { () throws(GraphError) in try sumTo(g, like: x[0]) },
        try ifNeeded(1) { () throws(GraphError) in
          try sumTo(try b.append(.scale(-1), [g]), like: x[1])
        },
      ]
    case .multiply:
      return [
        try ifNeeded(0) { () throws(GraphError) in
          try sumTo(try b.append(.multiply, [g, x[1]]), like: x[0])
        },
        try ifNeeded(1) { () throws(GraphError) in
          try sumTo(try b.append(.multiply, [g, x[0]]), like: x[1])
        },
      ]
    case .divide:
      return [
        try ifNeeded(0) { () throws(GraphError) in
          try sumTo(try b.append(.divide, [g, x[1]]), like: x[0])
        },
        try ifNeeded(1) { () throws(GraphError) in
          let gy = try b.append(.multiply, [g, id])
          let quotient = try b.append(.divide, [gy, x[1]])
          return try sumTo(try b.append(.scale(-1), [quotient]), like: x[1])
        },
      ]
    case .scale(let c):
      return [try ifNeeded(0) { () throws(GraphError) in try b.append(.scale(c), [g]) }]
    case .relu:
      return [try ifNeeded(0) { () throws(GraphError) in try b.append(.reluGrad, [x[0], g]) }]
    case .leakyRelu(let slope):
      return [
        try ifNeeded(0) { () throws(GraphError) in
          try b.append(.leakyReluGrad(slope: slope), [x[0], g])
        }
      ]
    case .tanh:
      return [try ifNeeded(0) { () throws(GraphError) in try b.append(.tanhGrad, [id, g]) }]
    case .sigmoid:
      return [try ifNeeded(0) { () throws(GraphError) in try b.append(.sigmoidGrad, [id, g]) }]
    case .softmax:
      return [try ifNeeded(0) { () throws(GraphError) in try b.append(.softmaxGrad, [id, g]) }]
    case .reshape:
      return [
        try ifNeeded(0) { () throws(GraphError) in
          try b.append(.reshape, [g], declared: type(x[0]))
        }
      ]
    case .concat(let axis):
      var start = 0
      var result: [NodeID?] = []
      for (i, input) in x.enumerated() {
        let length = b.graph[input].shape[axis]
        let from = start
        result.append(
          try ifNeeded(i) { () throws(GraphError) in
            try b.append(.slice(axis: axis, start: from, length: length), [g])
          })
        start += length
      }
      return result
    case .dropout:
      return [try ifNeeded(0) { () throws(GraphError) in try b.append(.dropoutGrad, [id, g]) }]
    case .lastStep:
      return [
        try ifNeeded(0) { () throws(GraphError) in
          try b.append(.lastStepGrad, [g], declared: type(x[0]))
        }
      ]
    case .conv2d(let window):
      let backward = try b.append(.conv2dBackward(window), [x[0], x[1], g])
      return [needed[0] ? backward : nil] + (try parts(backward, from: 1))
    case .maxPool(let window):
      return [
        try ifNeeded(0) { () throws(GraphError) in try b.append(.maxPoolGrad(window), [x[0], g]) }
      ]
    case .avgPool(let window):
      return [
        try ifNeeded(0) { () throws(GraphError) in
          try b.append(.avgPoolGrad(window), [g], declared: type(x[0]))
        }
      ]
    case .batchNorm:
      let backward = try b.append(.batchNormBackward, [id, x[0], x[1], g])
      let gammaBeta = try parts(backward, from: 1)
      return [needed[0] ? backward : nil, gammaBeta[0], gammaBeta[1], nil, nil]
    case .embedding:
      return [
        nil,
        try ifNeeded(1) { () throws(GraphError) in
          try b.append(.embeddingGrad, [x[0], g], declared: type(x[1]))
        },
      ]
    case .rnn, .lstm, .gru:
      let op: Op =
        node.op == .rnn ? .rnnBackward : (node.op == .lstm ? .lstmBackward : .gruBackward)
      let backward = try b.append(op, [id, x[0], x[1], x[2], g])
      return [needed[0] ? backward : nil] + (try parts(backward, from: 1))
    case .mseLoss:
      return [
        try ifNeeded(0) { () throws(GraphError) in try b.append(.mseLossGrad, [x[0], x[1], g]) },
        nil,
      ]
    case .softmaxCrossEntropy:
      return [
        try ifNeeded(0) { () throws(GraphError) in
          try b.append(.softmaxCrossEntropyGrad, [x[0], x[1], g])
        }, nil,
      ]
    case .bceLoss:
      return [
        try ifNeeded(0) { () throws(GraphError) in try b.append(.bceLossGrad, [x[0], x[1], g]) },
        nil,
      ]
    case .bceWithLogitsLoss:
      return [
        try ifNeeded(0) { () throws(GraphError) in
          try b.append(.bceWithLogitsLossGrad, [x[0], x[1], g])
        }, nil,
      ]
    case .accuracy:
      return [nil, nil]
    case .sumTo:
      return [
        try ifNeeded(0) { () throws(GraphError) in
          try b.append(.broadcastTo, [g], declared: type(x[0]))
        }
      ]
    case .broadcastTo:
      return [try ifNeeded(0) { () throws(GraphError) in try sumTo(g, like: x[0]) }]

    case .denseInputGrad, .denseWeightGrad, .reluGrad, .leakyReluGrad, .tanhGrad,
      .sigmoidGrad, .softmaxGrad, .slice, .dropoutGrad, .lastStepGrad, .conv2dBackward,
      .maxPoolGrad, .avgPoolGrad, .batchNormBackward, .embeddingGrad, .rnnBackward,
      .lstmBackward, .gruBackward, .gradientPart, .mseLossGrad, .softmaxCrossEntropyGrad,
      .bceLossGrad, .bceWithLogitsLossGrad:
      throw .notDifferentiable(node: id, op: node.op.name)
    }
  }
}
