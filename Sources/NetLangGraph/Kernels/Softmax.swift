// Softmax kernels: softmax over the last axis, softmax cross-entropy with integer labels,
// and argmax accuracy. R = rows (every index but the last axis, batch included), C = classes.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

enum Softmax {
  /// y[r, :] = softmax(x[r, :]), max-subtracted.
  static func forward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, classes: Int
  ) {
    for r in 0..<rows {
      let px = x + r * classes
      let py = y + r * classes
      var maximum = -Float.infinity
      for c in 0..<classes { maximum = max(maximum, px[c]) }
      var sum: Float = 0
      for c in 0..<classes {
        py[c] = expf(px[c] - maximum)
        sum += py[c]
      }
      let inverse = 1 / sum
      for c in 0..<classes { py[c] *= inverse }
    }
  }

  /// dx = y·(g − Σ_c g·y), row by row.
  static func backward(
    _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    rows: Int, classes: Int
  ) {
    for r in 0..<rows {
      let py = y + r * classes, pg = g + r * classes, pd = dx + r * classes
      var dot: Float = 0
      for c in 0..<classes { dot += py[c] * pg[c] }
      for c in 0..<classes { pd[c] = py[c] * (pg[c] - dot) }
    }
  }

  /// The class index stored in a label, or nil when it is not a whole number in 0..<classes.
  static func label(_ value: Float, classes: Int) -> Int? {
    guard value.isFinite, value >= 0, value < Float(classes), value == value.rounded(.towardZero)
    else { return nil }
    return Int(value)
  }

  /// Mean over rows of −log softmax(x)[label]; nil when a label is invalid.
  static func crossEntropyForward(
    _ x: UnsafePointer<Float>, _ labels: UnsafePointer<Float>, rows: Int, classes: Int
  ) -> Float? {
    var total: Double = 0
    for r in 0..<rows {
      guard let k = label(labels[r], classes: classes) else { return nil }
      let px = x + r * classes
      var maximum = -Float.infinity
      for c in 0..<classes { maximum = max(maximum, px[c]) }
      var sum: Float = 0
      for c in 0..<classes { sum += expf(px[c] - maximum) }
      total += Double(logf(sum) + maximum - px[k])
    }
    return Float(total / Double(rows))
  }

  /// dx = g·(softmax(x) − onehot(label)) / R; false when a label is invalid.
  static func crossEntropyBackward(
    _ x: UnsafePointer<Float>, _ labels: UnsafePointer<Float>, _ g: Float,
    _ dx: UnsafeMutablePointer<Float>, rows: Int, classes: Int
  ) -> Bool {
    forward(x, dx, rows: rows, classes: classes)
    let factor = g / Float(rows)
    for r in 0..<rows {
      guard let k = label(labels[r], classes: classes) else { return false }
      let pd = dx + r * classes
      pd[k] -= 1
      for c in 0..<classes { pd[c] *= factor }
    }
    return true
  }

  /// Fraction of rows whose argmax (first maximum) equals the label; with one column, the
  /// prediction is `x ≥ 0.5`.
  ///
  /// Invalid labels count as wrong.
  static func accuracy(
    _ x: UnsafePointer<Float>, _ labels: UnsafePointer<Float>, rows: Int, classes: Int
  ) -> Float {
    rows == 0 ? 0 : Float(correct(x, labels, rows: 0..<rows, classes: classes)) / Float(rows)
  }

  /// How many of the rows in `range` have their largest value (the first, on ties) at the label.
  static func correct(
    _ x: UnsafePointer<Float>, _ labels: UnsafePointer<Float>, rows range: Range<Int>,
    classes: Int
  ) -> Int {
    var correct = 0
    for r in range {
      let px = x + r * classes
      var predicted = 0
      if classes == 1 {
        predicted = px[0] >= 0.5 ? 1 : 0
      } else {
        for c in 1..<classes where px[c] > px[predicted] { predicted = c }
      }
      if labels[r] == Float(predicted) { correct += 1 }
    }
    return correct
  }
}
