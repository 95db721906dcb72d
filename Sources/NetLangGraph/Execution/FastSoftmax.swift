// FastSoftmax: softmax cross-entropy with integer labels on VectorMath's exp (one call per
// row instead of libm per element) and NetLangTensor.Softmax's eight-lane maximum and sum,
// forward beside backward, rows split across the pool; the formulas of the reference in
// Kernels/Softmax.swift. R = rows, C = classes.

import NetLangTensor

enum FastSoftmax {
  /// Rows up to this many classes go through a stack buffer (no heap); wider ones use the
  /// reference kernel.
  static let maximumClasses = 256

  /// Mean over rows of −log softmax(x)[label]; nil when a label is invalid.
  ///
  /// `losses` (R floats, or nil): with it, the rows are split across the pool, each row's
  /// loss stored there and the losses added in row order afterwards, the same bits as on one
  /// thread.
  static func crossEntropyForward(
    _ x: UnsafePointer<Float>, _ labels: UnsafePointer<Float>, rows: Int, classes: Int,
    losses: UnsafeMutablePointer<Float>? = nil, pool: WorkerPool? = nil
  ) -> Float? {
    guard classes <= maximumClasses else {
      return Softmax.crossEntropyForward(x, labels, rows: rows, classes: classes)
    }
    guard labelsAreClasses(labels, rows: rows, classes: classes) else { return nil }
    var total: Double = 0
    if let losses {
      Parallel.forRanges(rows, elementsEach: classes, multiple: 1, pool: pool) { first, count in
        for r in first..<(first &+ count) {
          losses[r] = rowLoss(x + r &* classes, label: labels[r], classes: classes)
        }
      }
      for r in 0..<rows { total += Double(losses[r]) }
    } else {
      for r in 0..<rows {
        total += Double(rowLoss(x + r &* classes, label: labels[r], classes: classes))
      }
    }
    return Float(total / Double(rows))
  }

  /// Whether every one of `rows` labels is a class index.
  static func labelsAreClasses(_ labels: UnsafePointer<Float>, rows: Int, classes: Int) -> Bool {
    for r in 0..<rows where Softmax.label(labels[r], classes: classes) == nil { return false }
    return true
  }

  /// −log softmax(x)[label] of one row of `classes` ≤ `maximumClasses` (a valid label).
  private static func rowLoss(_ px: UnsafePointer<Float>, label: Float, classes: Int) -> Float {
    withUnsafeTemporaryAllocation(of: Float.self, capacity: maximumClasses) { buffer in
      guard let shifted = buffer.baseAddress, let k = Softmax.label(label, classes: classes)
      else { return .nan }
      let maximum = NetLangTensor.Softmax.maximum(px, classes)
      Pointwise.addScalar(px, -maximum, shifted, count: classes)
      VectorMath.exp(shifted, shifted, count: classes)
      let sum = NetLangTensor.Softmax.sum(shifted, classes)
      return MathShim.logf(sum) + maximum - px[k]
    }
  }

  /// dx = g·(softmax(x) − onehot(label)) / R, rows split across the pool; false when a label
  /// is invalid.
  static func crossEntropyBackward(
    _ x: UnsafePointer<Float>, _ labels: UnsafePointer<Float>, _ g: Float,
    _ dx: UnsafeMutablePointer<Float>, rows: Int, classes: Int, pool: WorkerPool? = nil
  ) -> Bool {
    guard labelsAreClasses(labels, rows: rows, classes: classes) else { return false }
    let factor = g / Float(rows)
    Parallel.forRanges(rows, elementsEach: classes, multiple: 1, pool: pool) { first, count in
      let offset = first &* classes
      NetLangTensor.Softmax.forward(x + offset, dx + offset, rows: count, columns: classes)
      for r in first..<(first &+ count) {
        guard let k = Softmax.label(labels[r], classes: classes) else { continue }
        let pd = dx + r &* classes
        pd[k] -= 1
        Pointwise.scale(pd, by: factor, pd, count: classes)
      }
    }
    return true
  }

  /// The fraction of rows whose largest value is at the label (`Softmax.accuracy`), the rows
  /// split across the pool. Each part counts into a slot of its own; integer counts add up to
  /// the same total however the rows are split.
  static func accuracy(
    _ x: UnsafePointer<Float>, _ labels: UnsafePointer<Float>, rows: Int, classes: Int,
    pool: WorkerPool?
  ) -> Float {
    let slots = 16
    let parts = min(slots, pool?.threads ?? 1, rows * classes / Parallel.minimumElementsPerPart)
    guard let pool, parts > 1 else {
      return Softmax.accuracy(x, labels, rows: rows, classes: classes)
    }
    return withUnsafeTemporaryAllocation(of: Int.self, capacity: slots) { counts in
      pool.run(parts: parts) { part in
        counts[part] = Softmax.correct(
          x, labels, rows: Parallel.range(part: part, of: parts, total: rows, multiple: 1),
          classes: classes)
      }
      return Float(counts.prefix(parts).reduce(0, +)) / Float(rows)
    }
  }
}
