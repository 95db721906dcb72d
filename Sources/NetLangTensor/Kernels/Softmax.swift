// Softmax: numerically stable softmax and log-softmax over the rows of a matrix, forward and
// backward side by side.
//
// R = rows (batch), C = columns (classes); x = input logits, y = output, dy / dx = gradients.

/// Row-wise softmax and log-softmax.
public enum Softmax {
  /// y[r, :] = e^(x[r, :] - max) / Σ e^(x[r, :] - max).
  ///
  /// In place allowed. A row of all -inf gives NaN.
  public static func forward(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, rows: Int,
    columns: Int
  ) {
    for r in 0..<rows {
      let x = input + r &* columns
      let y = output + r &* columns
      let largest = maximum(x, columns)
      for c in 0..<columns { y[c] = x[c] - largest }
      VectorMath.exp(y, y, count: columns)
      let scale = 1 / sum(y, columns)
      for c in 0..<columns { y[c] *= scale }
    }
  }

  /// dx[r, :] = y ⊙ (dy - ⟨dy, y⟩) per row, from the forward output y.
  ///
  /// With `accumulate`, dx +=. `gradInput` may alias `gradOutput`.
  public static func backward(
    output: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
    gradInput: UnsafeMutablePointer<Float>, rows: Int, columns: Int, accumulate: Bool = false
  ) {
    for r in 0..<rows {
      let y = output + r &* columns
      let dy = gradOutput + r &* columns
      let dx = gradInput + r &* columns
      var dot: Float = 0
      for c in 0..<columns { dot += dy[c] * y[c] }
      for c in 0..<columns {
        let local = y[c] * (dy[c] - dot)
        dx[c] = accumulate ? dx[c] + local : local
      }
    }
  }

  /// y[r, :] = x[r, :] - max - ln Σ e^(x[r, :] - max).
  ///
  /// In place allowed.
  public static func logForward(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, rows: Int,
    columns: Int
  ) {
    for r in 0..<rows {
      let x = input + r &* columns
      let y = output + r &* columns
      let largest = maximum(x, columns)
      for c in 0..<columns { y[c] = x[c] - largest }
      // e^(x - max) is only needed for its sum: compute it in y, then overwrite y.
      VectorMath.exp(y, y, count: columns)
      let offset = largest + MathShim.logf(sum(y, columns))
      for c in 0..<columns { y[c] = x[c] - offset }
    }
  }

  /// dx[r, :] = dy - e^y · Σ dy per row, from the forward output y (log-probabilities).
  ///
  /// With `accumulate`, dx +=. `gradInput` may alias `gradOutput`.
  public static func logBackward(
    output: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
    gradInput: UnsafeMutablePointer<Float>, rows: Int, columns: Int, accumulate: Bool = false
  ) {
    // e^y goes through a small stack buffer, a chunk at a time: no heap allocation per call.
    let chunk = 256
    withUnsafeTemporaryAllocation(of: Float.self, capacity: chunk) { buffer in
      guard let p = buffer.baseAddress else { return }
      for r in 0..<rows {
        let y = output + r &* columns
        let dy = gradOutput + r &* columns
        let dx = gradInput + r &* columns
        let total = sum(dy, columns)
        var start = 0
        while start < columns {
          let count = min(chunk, columns &- start)
          VectorMath.exp(y + start, p, count: count)
          for c in 0..<count {
            let local = dy[start &+ c] - p[c] * total
            dx[start &+ c] = accumulate ? dx[start &+ c] + local : local
          }
          start &+= count
        }
      }
    }
  }

  /// The largest of x[0..<count] (-inf when empty), NaN when any is NaN; eight lanes at a time.
  package static func maximum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
    typealias V = SIMD8<Float>
    var largest = V(repeating: -.infinity)
    var nan = SIMDMask<V.MaskStorage>()
    var c = 0
    while c &+ 8 <= count {
      let v = UnsafeRawPointer(x + c).loadUnaligned(as: V.self)
      largest.replace(with: v, where: v .> largest)
      nan .|= v .!= v
      c &+= 8
    }
    var result = largest.max()
    while c < count {
      if x[c] > result { result = x[c] }
      if x[c].isNaN { nan[0] = true }
      c &+= 1
    }
    return any(nan) ? .nan : result
  }

  /// Σ x[0..<count] in eight interleaved partial sums, then the lanes in a fixed order.
  package static func sum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
    typealias V = SIMD8<Float>
    var partial = V()
    var c = 0
    while c &+ 8 <= count {
      partial += UnsafeRawPointer(x + c).loadUnaligned(as: V.self)
      c &+= 8
    }
    var total =
      ((partial[0] + partial[1]) + (partial[2] + partial[3]))
      + ((partial[4] + partial[5]) + (partial[6] + partial[7]))
    while c < count {
      total += x[c]
      c &+= 1
    }
    return total
  }
}
