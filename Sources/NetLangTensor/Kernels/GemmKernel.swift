// GemmKernel: the register-tile micro-kernel Gemm drives, with the cache blocking that suits
// it. One per instruction set; `best` is chosen once from CPUFeatures.
//
// MR × NR = the C tile one call computes; KC = depth of a packed panel; MC = rows of the packed
// A block (kept in L2); NC = columns of the packed B block.

import NetLangKernelsAVX2
import NetLangKernelsAVX512

/// C[rows×NR] = alpha · A·B + beta · C over panels of A and B.
///
/// Depth steps are `aStride` and `bStride` floats apart (packed, or B read in place); beta = 0
/// never reads C. A C function pointer, so calling it costs no reference counting in the inner
/// loop.
package typealias MicroKernelFunction =
  @convention(c) (
    _ depth: Int, _ a: UnsafePointer<Float>, _ aStride: Int, _ b: UnsafePointer<Float>,
    _ bStride: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float
  ) -> Void

/// A micro-kernel plus its tile and block sizes.
package struct GemmKernel: Sendable {
  /// Short name for tests and benchmarks ("avx512", "avx2", "portable").
  package let name: String
  /// Tile rows (MR) and columns (NR).
  package let rows: Int
  package let columns: Int
  /// Block sizes: KC (depth), MC (rows of A per block, a multiple of MR), NC (columns of B).
  package let depthBlock: Int
  package let rowBlock: Int
  package let columnBlock: Int
  /// Products with at most this many rows read an untransposed B in place instead of packing
  /// it: with one A block, each B panel is used once and the copy would not pay off.
  package var inPlaceBRows: Int = 0
  /// The full MR × NR tile.
  package let multiply: MicroKernelFunction
  /// Shorter tiles for the last rows of a block, ascending by row count (all < MR).
  package let partialRows: [(rows: Int, multiply: MicroKernelFunction)]
  /// The same tiles reading an untransposed A in place (the third argument is then A's row
  /// stride, depth steps one float apart): the full tile first, then the shorter ones, by
  /// row count. Empty when the kernel has none (A is then always packed).
  package var rowMajorA: [(rows: Int, multiply: MicroKernelFunction)] = []

  /// The in-place tile for exactly `rows` rows, if there is one.
  package func rowMajorTile(forRows rows: Int) -> MicroKernelFunction? {
    for tile in rowMajorA where tile.rows == rows { return tile.multiply }
    return nil
  }

  /// The kernel that covers `rows` ≤ MR rows with the least wasted work, and its row count.
  package func tile(forRows rows: Int) -> (rows: Int, multiply: MicroKernelFunction) {
    for partial in partialRows where partial.rows >= rows { return partial }
    return (self.rows, multiply)
  }

  /// 12×32 with 16-lane vectors; 8×32 and 4×32 for ragged rows.
  ///
  /// Blocks tuned on a Xeon with 48 KiB L1d / 2 MiB L2 (see Tests/Benchmarks/README.md).
  package static let avx512 = GemmKernel(
    name: "avx512", rows: MicroKernelAVX512.rows, columns: MicroKernelAVX512.columns,
    depthBlock: 256, rowBlock: 96, columnBlock: 1024, inPlaceBRows: 96,
    multiply: {
      MicroKernelAVX512.multiply12x32(
        depth: $0, a: $1, aStride: $2, b: $3, bStride: $4, c: $5, ldc: $6, alpha: $7, beta: $8)
    },
    partialRows: [
      (
        4,
        {
          MicroKernelAVX512.multiply4x32(
            depth: $0, a: $1, aStride: $2, b: $3, bStride: $4, c: $5, ldc: $6, alpha: $7, beta: $8)
        }
      ),
      (
        8,
        {
          MicroKernelAVX512.multiply8x32(
            depth: $0, a: $1, aStride: $2, b: $3, bStride: $4, c: $5, ldc: $6, alpha: $7, beta: $8)
        }
      ),
    ],
    rowMajorA: [
      (
        12,
        {
          MicroKernelAVX512.multiply12x32RowMajorA(
            depth: $0, a: $1, lda: $2, b: $3, bStride: $4, c: $5, ldc: $6, alpha: $7, beta: $8)
        }
      ),
      (
        8,
        {
          MicroKernelAVX512.multiply8x32RowMajorA(
            depth: $0, a: $1, lda: $2, b: $3, bStride: $4, c: $5, ldc: $6, alpha: $7, beta: $8)
        }
      ),
      (
        4,
        {
          MicroKernelAVX512.multiply4x32RowMajorA(
            depth: $0, a: $1, lda: $2, b: $3, bStride: $4, c: $5, ldc: $6, alpha: $7, beta: $8)
        }
      ),
    ])

  /// 6×16 with 8-lane vectors; 3×16 for ragged rows.
  package static let avx2 = GemmKernel(
    name: "avx2", rows: MicroKernelAVX2.rows, columns: MicroKernelAVX2.columns,
    depthBlock: 256, rowBlock: 96, columnBlock: 2048, inPlaceBRows: 96,
    multiply: {
      MicroKernelAVX2.multiply6x16(
        depth: $0, a: $1, aStride: $2, b: $3, bStride: $4, c: $5, ldc: $6, alpha: $7, beta: $8)
    },
    partialRows: [
      (
        3,
        {
          MicroKernelAVX2.multiply3x16(
            depth: $0, a: $1, aStride: $2, b: $3, bStride: $4, c: $5, ldc: $6, alpha: $7, beta: $8)
        }
      )
    ],
    rowMajorA: [
      (
        6,
        {
          MicroKernelAVX2.multiply6x16RowMajorA(
            depth: $0, a: $1, lda: $2, b: $3, bStride: $4, c: $5, ldc: $6, alpha: $7, beta: $8)
        }
      ),
      (
        3,
        {
          MicroKernelAVX2.multiply3x16RowMajorA(
            depth: $0, a: $1, lda: $2, b: $3, bStride: $4, c: $5, ldc: $6, alpha: $7, beta: $8)
        }
      ),
    ])

  /// 4×8 without FMA: safe on any CPU.
  package static let portable = GemmKernel(
    name: "portable", rows: PortableMicroKernel.rows, columns: PortableMicroKernel.columns,
    depthBlock: 256, rowBlock: 64, columnBlock: 2048,
    multiply: {
      PortableMicroKernel.multiply(
        depth: $0, a: $1, aStride: $2, b: $3, bStride: $4, c: $5, ldc: $6, alpha: $7, beta: $8)
    },
    partialRows: [])

  /// The same micro-kernel with other block sizes (MC rounded up to a multiple of MR), for
  /// tuning and for tests that need several blocks on small matrices.
  package func withBlocks(depth: Int, rows: Int, columns: Int) -> GemmKernel {
    GemmKernel(
      name: name, rows: self.rows, columns: self.columns, depthBlock: max(1, depth),
      rowBlock: (max(1, rows) + self.rows - 1) / self.rows * self.rows,
      columnBlock: (max(1, columns) + self.columns - 1) / self.columns * self.columns,
      inPlaceBRows: inPlaceBRows, multiply: multiply, partialRows: partialRows,
      rowMajorA: rowMajorA)
  }

  /// The fastest kernel this CPU can run.
  package static let best: GemmKernel = {
    let features = CPUFeatures.current
    if features.avx512 { return .avx512 }
    if features.avx2FMA { return .avx2 }
    return .portable
  }()

  /// Every kernel this CPU can run, fastest first (tests compare each with the reference).
  package static var available: [GemmKernel] {
    let features = CPUFeatures.current
    return (features.avx512 ? [avx512] : []) + (features.avx2FMA ? [avx2] : []) + [portable]
  }
}

/// The fallback tile: 4 rows × 8 columns, multiply then add (no fused FMA, which without the
/// FMA instruction set would be one libm call per lane).
enum PortableMicroKernel {
  static let rows = 4
  static let columns = 8

  @inline(never)
  static func multiply(
    depth: Int, a: UnsafePointer<Float>, aStride: Int, b: UnsafePointer<Float>, bStride: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float
  ) {
    typealias V = SIMD8<Float>
    var c0 = V()
    var c1 = V()
    var c2 = V()
    var c3 = V()
    var pa = a
    var pb = b
    for _ in 0..<depth {
      let bv = UnsafeRawPointer(pb).loadUnaligned(as: V.self)
      c0 += V(repeating: pa[0]) * bv
      c1 += V(repeating: pa[1]) * bv
      c2 += V(repeating: pa[2]) * bv
      c3 += V(repeating: pa[3]) * bv
      pa += aStride
      pb += bStride
    }
    store(c0, to: c, alpha: alpha, beta: beta)
    store(c1, to: c + ldc, alpha: alpha, beta: beta)
    store(c2, to: c + 2 &* ldc, alpha: alpha, beta: beta)
    store(c3, to: c + 3 &* ldc, alpha: alpha, beta: beta)
  }

  @inline(__always)
  private static func store(
    _ sum: SIMD8<Float>, to pointer: UnsafeMutablePointer<Float>, alpha: Float, beta: Float
  ) {
    let target = UnsafeMutableRawPointer(pointer)
    var value = sum * alpha
    if beta != 0 { value += target.loadUnaligned(as: SIMD8<Float>.self) * beta }
    target.storeBytes(of: value, as: SIMD8<Float>.self)
  }
}
