// Workspace: the extra per-node memory some ops need besides their value: dropout masks,
// batch statistics, im2col columns, saved recurrent gates, and the parameter-gradient
// "parts" that multi-result backward nodes leave for `gradientPart` to pick up.

import NetLangTensor

enum Workspace {
  /// Elements of the workspace of node `id` for batches of `batch` examples.
  static func count(of id: NodeID, in graph: Graph, batch: Int) -> Int {
    let node = graph[id]
    func shape(_ k: Int) -> Shape { graph[node.inputs[k]].shape }
    switch node.op {
    case .dropout:
      return node.elementCount(batch: batch)
    case .bceWithLogitsLoss:
      // The per-element terms, computed across the pool and then added up in order.
      return graph[node.inputs[0]].elementCount(batch: batch)
    case .softmaxCrossEntropy:
      // One loss per row, added in order once the rows (split across the pool) are done.
      let input = graph[node.inputs[0]]
      return input.elementCount(batch: batch) / max(input.shape.dimensions.last ?? 1, 1)
    case .batchNorm:
      return 2 * shape(0)[0]
    case .conv2d(let window):
      let geo = ConvGeometry(input: shape(0), filters: shape(1)[0], window: window)
      return FastConv.forwardCount(geo, batch: batch)
    case .conv2dBackward(let window):
      let geo = ConvGeometry(input: shape(0), filters: shape(1)[0], window: window)
      return partsCount(of: id, in: graph) + geo.filters + FastConv.backwardCount(geo, batch: batch)
    case .batchNormBackward:
      return partsCount(of: id, in: graph)
    case .lstm:
      return FastLSTM.forwardCount(batch: batch, steps: shape(0)[0], hidden: node.shape[1])
    case .gru:
      let steps = shape(0)[0], hidden = node.shape[1]
      return batch * steps * 4 * hidden + batch * steps * 3 * hidden + batch * 3 * hidden
    case .lstmBackward:
      let steps = shape(1)[0]
      let hidden = shape(3)[1]
      return partsCount(of: id, in: graph)
        + FastLSTM.backwardScratch(
          batch: batch, steps: steps, inputs: shape(1)[1], hidden: hidden)
    case .gruBackward:
      return partsCount(of: id, in: graph)
        + GRU.backwardScratch(batch: batch, steps: shape(1)[0], hidden: shape(3)[1])
    case .rnnBackward:
      let rows = shape(2)[0]
      let hidden = shape(3)[1]
      return partsCount(of: id, in: graph) + batch * (2 * rows + 4 * hidden)
    default:
      return 0
    }
  }

  /// Total elements of the parts a multi-result backward node leaves.
  static func partsCount(of id: NodeID, in graph: Graph) -> Int {
    ShapeInference.partTypes(of: id, in: graph).reduce(0) { $0 + $1.shape.elementCount }
  }

  /// Offset of part `index` in the workspace of `id`.
  static func partOffset(_ index: Int, of id: NodeID, in graph: Graph) -> Int {
    ShapeInference.partTypes(of: id, in: graph).prefix(index).reduce(0) {
      $0 + $1.shape.elementCount
    }
  }
}
