// SymmetricEigen: eigenvalues and eigenvectors of a real symmetric matrix by Householder
// reduction to tridiagonal form and the implicit QL method (EISPACK tred2/tql2, as in JAMA).
//
// n = matrix size. V(r, c) is the working matrix, stored column-major (v[c·n + r]) so that
// the inner loops, which run down columns, read contiguous memory; its columns become the
// eigenvectors. d = diagonal / eigenvalues, e = off-diagonal.

import Foundation

/// The eigen decomposition of a symmetric matrix.
public struct SymmetricEigen: Sendable {
  /// Eigenvalues, largest first.
  public var values: [Double]
  /// Unit eigenvectors, one per row (`size × size`, row i belongs to `values[i]`).
  public var vectors: [Double]
  public var size: Int

  /// Decomposes the symmetric `size × size` row-major `matrix` (only symmetry is assumed; the lower
  /// triangle is what is read).
  ///
  /// Returns nil when the QL iteration fails to converge, which happens only for non-finite input.
  public static func decompose(_ matrix: [Double], size n: Int) -> SymmetricEigen? {
    guard n > 0, matrix.count == n * n, matrix.allSatisfy(\.isFinite) else { return nil }
    var v = [Double](repeating: 0, count: n * n)
    // Column-major copy of the lower triangle, mirrored.
    for r in 0..<n {
      for c in 0...r {
        v[c * n + r] = matrix[r * n + c]
        v[r * n + c] = matrix[r * n + c]
      }
    }
    var d = [Double](repeating: 0, count: n)
    var e = [Double](repeating: 0, count: n)
    let converged = v.withUnsafeMutableBufferPointer { vp in
      d.withUnsafeMutableBufferPointer { dp in
        e.withUnsafeMutableBufferPointer { ep in
          tridiagonalize(vp, dp, ep, n)
          return diagonalize(vp, dp, ep, n)
        }
      }
    }
    guard converged else { return nil }
    // Sort descending; eigenvector j is column j of V, i.e. v[j·n ..< (j+1)·n].
    let order = (0..<n).sorted { d[$0] > d[$1] }
    var vectors = [Double](repeating: 0, count: n * n)
    for (row, j) in order.enumerated() {
      for k in 0..<n { vectors[row * n + k] = v[j * n + k] }
    }
    return SymmetricEigen(values: order.map { d[$0] }, vectors: vectors, size: n)
  }

  /// Householder reduction to tridiagonal form (tred2): on return d is the diagonal, e the
  /// sub-diagonal (e[0] = 0) and V the accumulated orthogonal transformation.
  static func tridiagonalize(
    _ v: UnsafeMutableBufferPointer<Double>, _ d: UnsafeMutableBufferPointer<Double>,
    _ e: UnsafeMutableBufferPointer<Double>, _ n: Int
  ) {
    @inline(__always) func at(_ r: Int, _ c: Int) -> Int { c * n + r }
    for j in 0..<n { d[j] = v[at(n - 1, j)] }
    var i = n - 1
    while i > 0 {
      var scale = 0.0
      var h = 0.0
      for k in 0..<i { scale += abs(d[k]) }
      if scale == 0 {
        e[i] = d[i - 1]
        for j in 0..<i {
          d[j] = v[at(i - 1, j)]
          v[at(i, j)] = 0
          v[at(j, i)] = 0
        }
      } else {
        // Generate the Householder vector.
        for k in 0..<i {
          d[k] /= scale
          h += d[k] * d[k]
        }
        var f = d[i - 1]
        var g = h.squareRoot()
        if f > 0 { g = -g }
        e[i] = scale * g
        h -= f * g
        d[i - 1] = f - g
        for j in 0..<i { e[j] = 0 }
        // Apply the similarity transformation to the remaining columns.
        for j in 0..<i {
          f = d[j]
          v[at(j, i)] = f
          g = e[j] + v[at(j, j)] * f
          let column = j * n
          if j + 1 <= i - 1 {
            for k in (j + 1)...(i - 1) {
              let vkj = v[column + k]
              g += vkj * d[k]
              e[k] += vkj * f
            }
          }
          e[j] = g
        }
        f = 0
        for j in 0..<i {
          e[j] /= h
          f += e[j] * d[j]
        }
        let hh = f / (h + h)
        for j in 0..<i { e[j] -= hh * d[j] }
        for j in 0..<i {
          f = d[j]
          g = e[j]
          let column = j * n
          for k in j...(i - 1) { v[column + k] -= f * e[k] + g * d[k] }
          d[j] = v[at(i - 1, j)]
          v[at(i, j)] = 0
        }
      }
      d[i] = h
      i -= 1
    }
    // Accumulate the transformations.
    for i in 0..<(n - 1) {
      v[at(n - 1, i)] = v[at(i, i)]
      v[at(i, i)] = 1
      let h = d[i + 1]
      let next = (i + 1) * n
      if h != 0 {
        for k in 0...i { d[k] = v[next + k] / h }
        for j in 0...i {
          let column = j * n
          var g = 0.0
          for k in 0...i { g += v[next + k] * v[column + k] }
          for k in 0...i { v[column + k] -= g * d[k] }
        }
      }
      for k in 0...i { v[next + k] = 0 }
    }
    for j in 0..<n {
      d[j] = v[at(n - 1, j)]
      v[at(n - 1, j)] = 0
    }
    v[at(n - 1, n - 1)] = 1
    e[0] = 0
  }

  /// Implicit QL on the tridiagonal matrix (tql2): d becomes the eigenvalues and the columns of V
  /// the eigenvectors.
  ///
  /// Returns false if an eigenvalue needs more than 60 iterations.
  static func diagonalize(
    _ v: UnsafeMutableBufferPointer<Double>, _ d: UnsafeMutableBufferPointer<Double>,
    _ e: UnsafeMutableBufferPointer<Double>, _ n: Int
  ) -> Bool {
    for i in 1..<max(n, 1) { e[i - 1] = e[i] }
    e[n - 1] = 0
    var f = 0.0
    var tst1 = 0.0
    let eps = Double.ulpOfOne
    for l in 0..<n {
      // Find a small sub-diagonal element.
      tst1 = max(tst1, abs(d[l]) + abs(e[l]))
      var m = l
      while m < n - 1 && abs(e[m]) > eps * tst1 { m += 1 }
      // If m == l, d[l] is already an eigenvalue; otherwise iterate.
      if m > l {
        var iterations = 0
        repeat {
          iterations += 1
          if iterations > 60 { return false }
          // Implicit shift.
          var g = d[l]
          var p = (d[l + 1] - g) / (2 * e[l])
          var r = hypot(p, 1)
          if p < 0 { r = -r }
          d[l] = e[l] / (p + r)
          d[l + 1] = e[l] * (p + r)
          let dl1 = d[l + 1]
          var h = g - d[l]
          if l + 2 < n { for i in (l + 2)..<n { d[i] -= h } }
          f += h
          // Implicit QL transformation.
          p = d[m]
          var c = 1.0
          var c2 = c
          var c3 = c
          let el1 = e[l + 1]
          var s = 0.0
          var s2 = 0.0
          var i = m - 1
          while i >= l {
            c3 = c2
            c2 = c
            s2 = s
            g = c * e[i]
            h = c * p
            r = hypot(p, e[i])
            e[i + 1] = s * r
            s = e[i] / r
            c = p / r
            p = c * d[i] - s * g
            d[i + 1] = h + s * (c * g + s * d[i])
            // Accumulate the rotation into columns i and i + 1.
            let left = i * n
            let right = (i + 1) * n
            for k in 0..<n {
              let x = v[right + k]
              v[right + k] = s * v[left + k] + c * x
              v[left + k] = c * v[left + k] - s * x
            }
            i -= 1
          }
          p = -s * s2 * c3 * el1 * e[l] / dl1
          e[l] = s * p
          d[l] = c * p
        } while abs(e[l]) > eps * tst1
      }
      d[l] += f
      e[l] = 0
    }
    return true
  }
}
