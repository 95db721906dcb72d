// Embedding kernels: row lookup and its scatter-add gradient.
// R = ids in the batch (every index of the ids tensor), V = vocabulary, D = dimension.

enum Embedding {
  /// y[R, D] = W[id_r, :].
  ///
  /// Returns the first invalid id (not a whole number in 0..<V), or nil.
  static func forward(
    _ ids: UnsafePointer<Float>, _ table: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    rows: Int, vocabulary: Int, dimension: Int
  ) -> Float? {
    for r in 0..<rows {
      guard let id = Softmax.label(ids[r], classes: vocabulary) else { return ids[r] }
      (y + r * dimension).update(from: table + id * dimension, count: dimension)
    }
    return nil
  }

  /// dW[V, D] = Σ over rows with id v of g[r, :] (+=: an id may repeat).
  static func backward(
    _ ids: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dTable: UnsafeMutablePointer<Float>,
    rows: Int, vocabulary: Int, dimension: Int
  ) {
    dTable.update(repeating: 0, count: vocabulary * dimension)
    for r in 0..<rows {
      guard let id = Softmax.label(ids[r], classes: vocabulary) else { continue }
      let row = dTable + id * dimension
      let pg = g + r * dimension
      for d in 0..<dimension { row[d] += pg[d] }
    }
  }
}
