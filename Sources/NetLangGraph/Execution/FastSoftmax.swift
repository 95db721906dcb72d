// FastSoftmax: softmax cross-entropy with integer labels on VectorMath's exp (one call per
// row instead of libm per element) and NetLangTensor.Softmax's eight-lane maximum and sum,
// forward beside backward; the formulas of the reference in Kernels/Softmax.swift. R = rows,
// C = classes.

import NetLangTensor

enum FastSoftmax {
  /// Rows up to this many classes go through a stack buffer (no heap); wider ones use the
  /// reference kernel.
  static let maximumClasses = 256

  /// Mean over rows of −log softmax(x)[label]; nil when a label is invalid.
  static func crossEntropyForward(
    _ x: UnsafePointer<Float>, _ labels: UnsafePointer<Float>, rows: Int, classes: Int
  ) -> Float? {
    guard classes <= maximumClasses else {
      return Softmax.crossEntropyForward(x, labels, rows: rows, classes: classes)
    }
    return withUnsafeTemporaryAllocation(of: Float.self, capacity: maximumClasses) {
      (buffer) -> Float? in
      guard let shifted = buffer.baseAddress else { return nil }
      var total: Double = 0
      for r in 0..<rows {
        guard let k = Softmax.label(labels[r], classes: classes) else { return nil }
        let px = x + r &* classes
        let maximum = NetLangTensor.Softmax.maximum(px, classes)
        Pointwise.addScalar(px, -maximum, shifted, count: classes)
        VectorMath.exp(shifted, shifted, count: classes)
        let sum = NetLangTensor.Softmax.sum(shifted, classes)
        total += Double(MathShim.logf(sum) + maximum - px[k])
      }
      return Float(total / Double(rows))
    }
  }

  /// dx = g·(softmax(x) − onehot(label)) / R; false when a label is invalid.
  static func crossEntropyBackward(
    _ x: UnsafePointer<Float>, _ labels: UnsafePointer<Float>, _ g: Float,
    _ dx: UnsafeMutablePointer<Float>, rows: Int, classes: Int
  ) -> Bool {
    NetLangTensor.Softmax.forward(x, dx, rows: rows, columns: classes)
    let factor = g / Float(rows)
    for r in 0..<rows {
      guard let k = Softmax.label(labels[r], classes: classes) else { return false }
      let pd = dx + r &* classes
      pd[k] -= 1
      Pointwise.scale(pd, by: factor, pd, count: classes)
    }
    return true
  }
}
