#!/usr/bin/env python3
# Writes the GEMM packing routines (the transposing pack and the row pack) once per
# instruction set: the same Swift source, compiled in the AVX-512 and AVX2 targets (wide loads
# and stores, one-instruction shuffles) and in NetLangTensor for any CPU. GemmPacking picks one at run time like VectorMath does.
# Run from the package root: python3 Tests/Tools/generate_packing.py
# Outputs: Sources/NetLangKernelsAVX512/Generated/GemmPackingAVX512.swift,
#          Sources/NetLangKernelsAVX2/Generated/GemmPackingAVX2.swift,
#          Sources/NetLangTensor/Kernels/Generated/GemmPackingPortable.swift.
import subprocess

BODY = '''
  /// Transposing copy: `lines` rows of `depth` contiguous values (row stride `stride`) become
  /// panel[p * width + line]; lines from `lines` to `width` are zero.
  ///
  /// Works in 8×8 blocks (4×4 for a group of 4 to 7 lines) so reads stay sequential and writes
  /// stay within a few cache lines. The groups of 8 lines advance together, 8 depth steps at a
  /// time: every line is a stream in flight at once (all of a panel's, not 8), which is what
  /// a cold matrix needs, and each round of them writes one contiguous run of the panel.
  @inline(never)
  ACCESSstatic func packStrided(
    source: UnsafePointer<Float>, stride: Int, lines: Int, depth: Int, width: Int,
    into panel: UnsafeMutablePointer<Float>
  ) {
    let wholeGroups = lines / 8
    var p = 0
    while p &+ 8 <= depth {
      for group in 0..<wholeGroups {
        transpose8x8(
          source: source + (group &* 8 &* stride &+ p), stride: stride,
          target: panel + (p &* width &+ group &* 8), targetStride: width)
      }
      p &+= 8
    }
    // The depth steps the groups of 8 left over.
    for line in 0..<wholeGroups &* 8 {
      let row = source + (line &* stride)
      for q in p..<depth { panel[q &* width &+ line] = row[q] }
    }
    var line0 = wholeGroups &* 8
    while line0 < lines {
      let remaining = lines &- line0
      let count = remaining >= 4 ? 4 : remaining
      var p = 0
      if count == 4 {
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
    // Zero padding for the lines past the edge, a vector at a time where it fits.
    if lines < width {
      let padding = width &- lines
      for p in 0..<depth {
        let target = panel + (p &* width &+ lines)
        var j = 0
        while j &+ 8 <= padding {
          UnsafeMutableRawPointer(target + j).storeBytes(of: SIMD8<Float>(), as: SIMD8<Float>.self)
          j &+= 8
        }
        if j &+ 4 <= padding {
          UnsafeMutableRawPointer(target + j).storeBytes(of: SIMD4<Float>(), as: SIMD4<Float>.self)
          j &+= 4
        }
        while j < padding {
          target[j] = 0
          j &+= 1
        }
      }
    }
  }

  /// Panels of `width` columns from `depth` rows of `columns` values (row stride `stride`):
  /// source[p * stride + j] → panel q = j / width, at [p * width + j % width], panels `width`
  /// × `depth` apart, zero past `columns`. Row by row: each source row is read from start to
  /// end (one stream the hardware prefetcher follows) and dealt out to the panels.
  @inline(never)
  ACCESSstatic func packRows(
    source: UnsafePointer<Float>, stride: Int, depth: Int, columns: Int, width: Int,
    into panels: UnsafeMutablePointer<Float>
  ) {
    let fullPanels = columns / width
    let rest = columns &- fullPanels &* width
    let panelSize = width &* depth
    for p in 0..<depth {
      let row = source + p &* stride
      var target = panels + p &* width
      for q in 0..<fullPanels {
        copy(row + q &* width, target, count: width)
        target += panelSize
      }
      if rest > 0 {
        copy(row + fullPanels &* width, target, count: rest)
        for j in rest..<width { target[j] = 0 }
      }
    }
  }

  /// y[0..<count] = x[0..<count], 16 values a move where they fit.
  @inline(__always)
  private static func copy(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
  ) {
    var i = 0
    while i &+ 16 <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
      UnsafeMutableRawPointer(y + i).storeBytes(of: v, as: SIMD16<Float>.self)
      i &+= 16
    }
    if i &+ 8 <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(y + i).storeBytes(of: v, as: SIMD8<Float>.self)
      i &+= 8
    }
    if i &+ 4 <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Float>.self)
      UnsafeMutableRawPointer(y + i).storeBytes(of: v, as: SIMD4<Float>.self)
      i &+= 4
    }
    while i < count {
      y[i] = x[i]
      i &+= 1
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
'''

def write(path, name, access, summary, built):
    header = [
        f"// {path.split('/')[-1]}: generated by Tests/Tools/generate_packing.py; do not edit.",
        f"// {summary}",
        f"// {built}",
        "",
        f"/// {summary}",
        f"{access}enum {name} {{",
    ]
    open(path, "w").write("\n".join(header) + BODY.replace("ACCESS", access))

OUTPUTS = [
    ("Sources/NetLangKernelsAVX512/Generated/GemmPackingAVX512.swift", "GemmPackingAVX512", "public ",
     "The GEMM packs for CPUs with AVX-512F.",
     "Built with -mavx512f; NetLangTensor's GemmPacking calls it after a CPU check."),
    ("Sources/NetLangKernelsAVX2/Generated/GemmPackingAVX2.swift", "GemmPackingAVX2", "public ",
     "The GEMM packs for CPUs with AVX2.",
     "Built with -mavx2; NetLangTensor's GemmPacking calls it after a CPU check."),
    ("Sources/NetLangTensor/Kernels/Generated/GemmPackingPortable.swift", "GemmPackingPortable", "",
     "The GEMM packs for any CPU.",
     "Runs everywhere; GemmPacking uses it when no AVX path applies."),
]
for output in OUTPUTS:
    write(*output)
# Keep the output in the repository style.
subprocess.run(["swift", "format", "-i"] + [o[0] for o in OUTPUTS], check=True)
