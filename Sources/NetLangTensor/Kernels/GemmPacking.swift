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
          copyShort(source, target, count: rows)
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
            copyShort(source, target, count: nr)
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

  /// target[0..<count] = source[0..<count] for the few floats of one panel row (4 to 32):
  /// vector moves instead of a memmove call each.
  @inline(__always)
  private static func copyShort(
    _ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, count: Int
  ) {
    var j = 0
    while j &+ 8 <= count {
      UnsafeMutableRawPointer(target + j).storeBytes(
        of: UnsafeRawPointer(source + j).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
      j &+= 8
    }
    if j &+ 4 <= count {
      UnsafeMutableRawPointer(target + j).storeBytes(
        of: UnsafeRawPointer(source + j).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
      j &+= 4
    }
    while j < count {
      target[j] = source[j]
      j &+= 1
    }
  }

  /// Transposing copy: `lines` rows of `depth` contiguous values (row stride `stride`) become
  /// panel[p * width + line]; lines ≥ `lines` are zero.
  ///
  /// Works in 8×8 blocks (4×4 for a group of 4 to 7 lines) so reads stay sequential and writes
  /// stay within a few cache lines.
  private static func packStrided(
    source: UnsafePointer<Float>, stride: Int, lines: Int, depth: Int, width: Int,
    into panel: UnsafeMutablePointer<Float>
  ) {
    var line0 = 0
    while line0 < lines {
      let remaining = lines &- line0
      let count = remaining >= 8 ? 8 : remaining >= 4 ? 4 : remaining
      var p = 0
      if count == 8 {
        while p &+ 8 <= depth {
          transpose8x8(
            source: source + (line0 &* stride &+ p), stride: stride,
            target: panel + (p &* width &+ line0), targetStride: width)
          p &+= 8
        }
      } else if count == 4 {
        while p &+ 4 <= depth {
          transpose4x4(
            source: source + (line0 &* stride &+ p), stride: stride,
            target: panel + (p &* width &+ line0), targetStride: width)
          p &+= 4
        }
      }
      // The depth steps left over (all of them for fewer than 4 lines).
      for line in 0..<count {
        let row = source + ((line0 &+ line) &* stride)
        for q in p..<depth { panel[q &* width &+ line0 &+ line] = row[q] }
      }
      line0 &+= count
    }
    // Zero padding for the lines past the edge.
    if lines < width {
      for p in 0..<depth {
        for line in lines..<width { panel[p &* width &+ line] = 0 }
      }
    }
  }

  /// target[c * targetStride + r] = source[r * stride + c] for an 8×8 block.
  ///
  /// Three rounds of a perfect unshuffle of the 64 values (each moves the lowest index bit to
  /// the top, so three turn row·8 + column into column·8 + row), as two-register shuffles.
  @inline(__always)
  private static func transpose8x8(
    source: UnsafePointer<Float>, stride: Int, target: UnsafeMutablePointer<Float>,
    targetStride: Int
  ) {
    typealias V = SIMD8<Float>
    func row(_ r: Int) -> V {
      UnsafeRawPointer(source + (r &* stride)).loadUnaligned(as: V.self)
    }
    var rows = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
    for _ in 0..<3 {
      let p0 = SIMD16(lowHalf: rows.0, highHalf: rows.1)
      let p1 = SIMD16(lowHalf: rows.2, highHalf: rows.3)
      let p2 = SIMD16(lowHalf: rows.4, highHalf: rows.5)
      let p3 = SIMD16(lowHalf: rows.6, highHalf: rows.7)
      rows = (
        p0.evenHalf, p1.evenHalf, p2.evenHalf, p3.evenHalf,
        p0.oddHalf, p1.oddHalf, p2.oddHalf, p3.oddHalf
      )
    }
    func store(_ v: V, _ c: Int) {
      UnsafeMutableRawPointer(target + (c &* targetStride)).storeBytes(of: v, as: V.self)
    }
    store(rows.0, 0); store(rows.1, 1); store(rows.2, 2); store(rows.3, 3)
    store(rows.4, 4); store(rows.5, 5); store(rows.6, 6); store(rows.7, 7)
  }

  /// target[c * targetStride + r] = source[r * stride + c] for a 4×4 block (two unshuffles).
  @inline(__always)
  private static func transpose4x4(
    source: UnsafePointer<Float>, stride: Int, target: UnsafeMutablePointer<Float>,
    targetStride: Int
  ) {
    typealias V = SIMD4<Float>
    func row(_ r: Int) -> V {
      UnsafeRawPointer(source + (r &* stride)).loadUnaligned(as: V.self)
    }
    var rows = (row(0), row(1), row(2), row(3))
    for _ in 0..<2 {
      let p0 = SIMD8(lowHalf: rows.0, highHalf: rows.1)
      let p1 = SIMD8(lowHalf: rows.2, highHalf: rows.3)
      rows = (p0.evenHalf, p1.evenHalf, p0.oddHalf, p1.oddHalf)
    }
    func store(_ v: V, _ c: Int) {
      UnsafeMutableRawPointer(target + (c &* targetStride)).storeBytes(of: v, as: V.self)
    }
    store(rows.0, 0); store(rows.1, 1); store(rows.2, 2); store(rows.3, 3)
  }
}
