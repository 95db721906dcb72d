// GemmPacking: copies blocks of op(A) and op(B) into the contiguous micro-panels the GEMM
// micro-kernel streams through, zero-padding ragged edges to full tiles.
//
// MR, NR = tile rows / columns; mc × kc = the A block; kc × nc = the B block. A panel holds MR
// rows (or NR columns) for each of kc depth steps: panel[p * MR + r].

import NetLangKernelsAVX2
import NetLangKernelsAVX512

/// Packing of GEMM operands into micro-panels.
package enum GemmPacking {
  /// Packs op(A)[row0 ..< row0+mc, depth0 ..< depth0+kc] into ⌈mc/MR⌉ panels of MR × kc.
  ///
  /// op(A)[i, p] is `a[i * lda + p]`, or `a[p * lda + i]` when `transposed`.
  static func packA(
    transposed: Bool, a: UnsafePointer<Float>, lda: Int, row0: Int, depth0: Int,
    rows mc: Int, depth kc: Int, tileRows mr: Int, into destination: UnsafeMutablePointer<Float>
  ) {
    if transposed {
      // Each depth step is a contiguous run of rows in memory.
      packRows(
        a, stride: lda, depth0: depth0, column0: row0, depth: kc, columns: mc, width: mr,
        into: destination)
      return
    }
    var panel = destination
    var i0 = 0
    while i0 < mc {
      packStrided(
        source: a + ((row0 &+ i0) &* lda &+ depth0), stride: lda, lines: min(mr, mc &- i0),
        depth: kc, width: mr, into: panel)
      panel += mr &* kc
      i0 &+= mr
    }
  }

  /// Packs op(B)[depth0 ..< depth0+kc, column0 ..< column0+nc] into ⌈nc/NR⌉ panels of kc × NR.
  ///
  /// op(B)[p, j] is `b[p * ldb + j]`, or `b[j * ldb + p]` when `transposed`.
  static func packB(
    transposed: Bool, b: UnsafePointer<Float>, ldb: Int, depth0: Int, column0: Int,
    depth kc: Int, columns nc: Int, tileColumns nr: Int,
    into destination: UnsafeMutablePointer<Float>
  ) {
    if !transposed {
      packRows(
        b, stride: ldb, depth0: depth0, column0: column0, depth: kc, columns: nc, width: nr,
        into: destination)
      return
    }
    var panel = destination
    var j0 = 0
    while j0 < nc {
      packStrided(
        source: b + ((column0 &+ j0) &* ldb &+ depth0), stride: ldb, lines: min(nr, nc &- j0),
        depth: kc, width: nr, into: panel)
      panel += nr &* kc
      j0 &+= nr
    }
  }

  /// Panels of `width` columns from rows of a matrix stored depth-major (untransposed B,
  /// transposed A): source[(depth0 + p)·stride + column0 + j] → panel[p·width + j], zero past
  /// `columns`, built for the widest instruction set this CPU has (or `implementation`).
  package static func packRows(
    _ source: UnsafePointer<Float>, stride: Int, depth0: Int, column0: Int, depth kc: Int,
    columns nc: Int, width nr: Int, into destination: UnsafeMutablePointer<Float>,
    using implementation: VectorMath.Implementation = .best
  ) {
    let start = source + (depth0 &* stride &+ column0)
    switch implementation {
    case .avx512:
      GemmPackingAVX512.packRows(
        source: start, stride: stride, depth: kc, columns: nc, width: nr, into: destination)
    case .avx2:
      GemmPackingAVX2.packRows(
        source: start, stride: stride, depth: kc, columns: nc, width: nr, into: destination)
    case .portable:
      GemmPackingPortable.packRows(
        source: start, stride: stride, depth: kc, columns: nc, width: nr, into: destination)
    }
  }

  /// The transposing copy (panel[p * width + line] from `lines` rows of `depth` values,
  /// zero-padded to `width`) built for the widest instruction set this CPU has; the source is
  /// generated once for all of them (Tests/Tools/generate_packing.py).
  @inline(__always)
  package static func packStrided(
    source: UnsafePointer<Float>, stride: Int, lines: Int, depth: Int, width: Int,
    into panel: UnsafeMutablePointer<Float>,
    using implementation: VectorMath.Implementation = .best
  ) {
    switch implementation {
    case .avx512:
      GemmPackingAVX512.packStrided(
        source: source, stride: stride, lines: lines, depth: depth, width: width, into: panel)
    case .avx2:
      GemmPackingAVX2.packStrided(
        source: source, stride: stride, lines: lines, depth: depth, width: width, into: panel)
    case .portable:
      GemmPackingPortable.packStrided(
        source: source, stride: stride, lines: lines, depth: depth, width: width, into: panel)
    }
  }
}
