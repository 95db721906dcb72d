// GemmKernel: the register-tile micro-kernel Gemm drives, with the cache blocking that suits
// it. One per instruction set; `best` is chosen once from CPUFeatures.
//
// MR × NR = the C tile one call computes; KC = depth of a packed panel; MC = rows of the packed
// A block (kept in L2); NC = columns of the packed B block.

import NetLangKernelsAVX2
import NetLangKernelsAVX512

/// C[MR×NR] = alpha · A·B + beta · C over packed panels; beta = 0 never reads C.
package typealias MicroKernelFunction = @Sendable (
  _ depth: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
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
  package let multiply: MicroKernelFunction

  /// 8×32 with 16-lane vectors.
  package static let avx512 = GemmKernel(
    name: "avx512", rows: MicroKernelAVX512.rows, columns: MicroKernelAVX512.columns,
    depthBlock: 256, rowBlock: 128, columnBlock: 3072,
    multiply: { MicroKernelAVX512.multiply(depth: $0, a: $1, b: $2, c: $3, ldc: $4, alpha: $5, beta: $6) })

  /// 6×16 with 8-lane vectors.
  package static let avx2 = GemmKernel(
    name: "avx2", rows: MicroKernelAVX2.rows, columns: MicroKernelAVX2.columns,
    depthBlock: 256, rowBlock: 120, columnBlock: 3072,
    multiply: { MicroKernelAVX2.multiply(depth: $0, a: $1, b: $2, c: $3, ldc: $4, alpha: $5, beta: $6) })

  /// 4×8 without FMA: safe on any CPU.
  package static let portable = GemmKernel(
    name: "portable", rows: PortableMicroKernel.rows, columns: PortableMicroKernel.columns,
    depthBlock: 256, rowBlock: 64, columnBlock: 2048,
    multiply: { PortableMicroKernel.multiply(depth: $0, a: $1, b: $2, c: $3, ldc: $4, alpha: $5, beta: $6) })

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
    depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float
  ) {
    typealias V = SIMD8<Float>
    var c0 = V()
    var c1 = V()
    var c2 = V()
    var c3 = V()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<depth {
      let bv = pb.loadUnaligned(as: V.self)
      c0 += V(repeating: pa[0]) * bv
      c1 += V(repeating: pa[1]) * bv
      c2 += V(repeating: pa[2]) * bv
      c3 += V(repeating: pa[3]) * bv
      pa += 4
      pb += 32
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
