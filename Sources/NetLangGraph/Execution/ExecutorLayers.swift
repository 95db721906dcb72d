// ExecutorLayers: dispatch of the layers that keep state between forward and backward
// (conv2d, pooling, batchnorm, embedding, recurrent layers) to their kernels.

import NetLangTensor

extension Executor {
  func dispatchLayer(
    _ id: NodeID, _ node: Node, _ y: UnsafeMutablePointer<Float>, training: Bool
  ) throws(ExecutionError) {
    switch node.op {
    default:
      break
    }
  }
}
