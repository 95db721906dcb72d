// GemmPacking: copies blocks of op(A) and op(B) into the contiguous micro-panels the GEMM
// micro-kernel streams through, zero-padding ragged edges to full tiles.
//
// MR, NR = tile rows / columns; mc × kc = the A block; kc × nc = the B block. A panel holds MR
// rows (or NR columns) for each of kc depth steps: panel[p * MR + r].

/// Packing of GEMM operands into micro-panels.
enum GemmPacking {
  /// Packs op(A)[row0 ..< row0+mc, depth0 ..< depth0+kc] into ⌈mc/MR⌉ panels of MR × kc.
  ///
  /// op(A)[i, p] is `a[i * lda + p]`, or `a[p * lda + i]` when `transposed`.
  static func packA(
    transposed: Bool, a: UnsafePointer<Float>, lda: Int, row0: Int, depth0: Int,
    rows mc: Int, depth kc: Int, tileRows mr: Int, into destination: UnsafeMutablePointer<Float>
  ) {
    var panel = destination
    var i0 = 0
    while i0 < mc {
      let rows = min(mr, mc &- i0)
      if transposed {
        // Each depth step is a contiguous run of rows in memory.
        for p in 0..<kc {
          let source = a + ((depth0 &+ p) &* lda &+ row0 &+ i0)
          let target = panel + (p &* mr)
          for r in 0..<rows { target[r] = source[r] }
          for r in rows..<mr { target[r] = 0 }
        }
      } else {
        packStrided(
          source: a + ((row0 &+ i0) &* lda &+ depth0), stride: lda, lines: rows, depth: kc,
          width: mr, into: panel)
      }
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
    var panel = destination
    var j0 = 0
    while j0 < nc {
      let columns = min(nr, nc &- j0)
      if transposed {
        packStrided(
          source: b + ((column0 &+ j0) &* ldb &+ depth0), stride: ldb, lines: columns, depth: kc,
          width: nr, into: panel)
      } else {
        for p in 0..<kc {
          let source = b + ((depth0 &+ p) &* ldb &+ column0 &+ j0)
          let target = panel + (p &* nr)
          if columns == nr {
            target.update(from: source, count: nr)
          } else {
            for j in 0..<columns { target[j] = source[j] }
            for j in columns..<nr { target[j] = 0 }
          }
        }
      }
      panel += nr &* kc
      j0 &+= nr
    }
  }

  /// Transposing copy: `lines` rows of `depth` contiguous values (row stride `stride`) become
  /// panel[p * width + line]; lines ≥ `lines` are zero.
  ///
  /// Works in 8×8 blocks so reads stay sequential and writes stay within a few cache lines.
  private static func packStrided(
    source: UnsafePointer<Float>, stride: Int, lines: Int, depth: Int, width: Int,
    into panel: UnsafeMutablePointer<Float>
  ) {
    var line0 = 0
    while line0 < lines {
      let count = min(8, lines &- line0)
      if count == 8 {
        var p = 0
        while p &+ 8 <= depth {
          transpose8x8(
            source: source + (line0 &* stride &+ p), stride: stride,
            target: panel + (p &* width &+ line0), targetStride: width)
          p &+= 8
        }
        while p < depth {
          for line in 0..<8 {
            panel[p &* width &+ line0 &+ line] = source[(line0 &+ line) &* stride &+ p]
          }
          p &+= 1
        }
      } else {
        for line in 0..<count {
          let row = source + ((line0 &+ line) &* stride)
          for p in 0..<depth { panel[p &* width &+ line0 &+ line] = row[p] }
        }
      }
      line0 &+= 8
    }
    // Zero padding for the lines past the edge.
    if lines < width {
      for p in 0..<depth {
        for line in lines..<width { panel[p &* width &+ line] = 0 }
      }
    }
  }

  /// target[c * targetStride + r] = source[r * stride + c] for an 8×8 block.
  @inline(__always)
  private static func transpose8x8(
    source: UnsafePointer<Float>, stride: Int, target: UnsafeMutablePointer<Float>,
    targetStride: Int
  ) {
    typealias V = SIMD8<Float>
    func row(_ r: Int) -> V {
      UnsafeRawPointer(source + (r &* stride)).loadUnaligned(as: V.self)
    }
    let r0 = row(0), r1 = row(1), r2 = row(2), r3 = row(3)
    let r4 = row(4), r5 = row(5), r6 = row(6), r7 = row(7)
    for c in 0..<8 {
      let column = V(r0[c], r1[c], r2[c], r3[c], r4[c], r5[c], r6[c], r7[c])
      UnsafeMutableRawPointer(target + (c &* targetStride)).storeBytes(of: column, as: V.self)
    }
  }
}
