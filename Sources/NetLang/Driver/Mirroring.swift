// Mirroring: unrolling for `mirror` decoders. A decoder layer starts as the transpose of its
// encoder layer's weight; its bias starts at zero, or at the visible biases of the RBM that
// pretrained the encoder layer.

import NetLangGraph
import NetLangTraining

extension LoweredModel {
  /// Sets every mirrored decoder weight to the transpose of its encoder weight; `visibleBias`
  /// gives a decoder bias by encoder layer name (from pretraining).
  func unrollMirrors(in executor: Executor, visibleBias: [String: [Float]] = [:]) {
    for (decoder, encoder) in mirrors {
      guard let source = executor.parameterValue(named: encoder + ".weight"),
        let target = executor.parameterValue(named: decoder + ".weight"),
        let id = executor.graph.parameter(named: encoder + ".weight")
      else { continue }
      let shape = executor.graph[id].shape.dimensions
      guard shape.count == 2, source.count == target.count else { continue }
      // Encoder weight [out, in]; decoder weight [in, out] = its transpose.
      let (rows, columns) = (shape[0], shape[1])
      for row in 0..<rows {
        for column in 0..<columns {
          target[column * rows + row] = source[row * columns + column]
        }
      }
      if let bias = executor.parameterValue(named: decoder + ".bias") {
        let values = visibleBias[encoder] ?? []
        for i in 0..<bias.count { bias[i] = i < values.count ? values[i] : 0 }
      }
    }
  }
}
