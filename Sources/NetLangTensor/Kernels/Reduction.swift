// Reduction: sums over the rows or the columns of a row-major matrix (bias gradients, loss
// totals). Fixed summation order, so results are bit-reproducible.
//
// R = rows, C = columns.

/// Row and column sums of an R × C row-major matrix.
public enum Reduction {
  /// output[c] = Σ_r input[r, c] (length C): the bias gradient of a dense layer.
  ///
  /// With `accumulate`, output += the sums.
  public static func sumOverRows(
    _ input: UnsafePointer<Float>, rows: Int, columns: Int,
    into output: UnsafeMutablePointer<Float>, accumulate: Bool = false
  ) {
    if !accumulate { output.update(repeating: 0, count: columns) }
    for r in 0..<rows {
      let row = input + r &* columns
      for c in 0..<columns { output[c] += row[c] }
    }
  }

  /// output[r] = Σ_c input[r, c] (length R).
  ///
  /// With `accumulate`, output += the sums.
  public static func sumOverColumns(
    _ input: UnsafePointer<Float>, rows: Int, columns: Int,
    into output: UnsafeMutablePointer<Float>, accumulate: Bool = false
  ) {
    for r in 0..<rows {
      let total = sum(input + r &* columns, count: columns)
      output[r] = accumulate ? output[r] + total : total
    }
  }

  /// Σ input[0..<count], in four interleaved partial sums (vectorizes; fixed order).
  public static func sum(_ input: UnsafePointer<Float>, count: Int) -> Float {
    var partial = SIMD4<Float>()
    var index = 0
    while index &+ 4 <= count {
      partial += UnsafeRawPointer(input + index).loadUnaligned(as: SIMD4<Float>.self)
      index &+= 4
    }
    var total = (partial[0] + partial[1]) + (partial[2] + partial[3])
    while index < count {
      total += input[index]
      index &+= 1
    }
    return total
  }

  /// True when no element of input[0..<count] is NaN or infinite (x·0 is NaN exactly for
  /// those, and NaN survives the sum).
  public static func allFinite(_ input: UnsafePointer<Float>, count: Int) -> Bool {
    // x·0 is 0 for a finite x and NaN otherwise; four sums so the adds do not wait on each
    // other (the order does not matter: the total is 0 or NaN).
    typealias V = SIMD8<Float>
    var p0 = V(), p1 = V(), p2 = V(), p3 = V()
    var index = 0
    while index &+ 32 <= count {
      let base = UnsafeRawPointer(input + index)
      p0 += base.loadUnaligned(as: V.self) * 0
      p1 += base.loadUnaligned(fromByteOffset: 32, as: V.self) * 0
      p2 += base.loadUnaligned(fromByteOffset: 64, as: V.self) * 0
      p3 += base.loadUnaligned(fromByteOffset: 96, as: V.self) * 0
      index &+= 32
    }
    while index &+ 8 <= count {
      p0 += UnsafeRawPointer(input + index).loadUnaligned(as: V.self) * 0
      index &+= 8
    }
    var total = ((p0 + p1) + (p2 + p3)).sum()
    while index < count {
      total += input[index] * 0
      index &+= 1
    }
    return total.isFinite
  }
}
