// MicroKernelAVX2: the 6×16 SGEMM register tile for CPUs with AVX2 and FMA. Built with
// -mavx2 -mfma; NetLangTensor's Gemm calls it only after a run-time CPU check.
//
// MR = 6 rows of C, NR = 16 columns of C (2 vectors of 8 lanes), KC = packed depth.

/// SGEMM micro-kernel using 16 ymm registers: 12 accumulators, 2 B vectors, a broadcast.
public enum MicroKernelAVX2 {
  /// Rows of the C tile (MR).
  public static let rows = 6
  /// Columns of the C tile (NR).
  public static let columns = 16

  /// C[MR×NR] = alpha · A·B + beta · C, with A packed as KC steps of MR values and B as KC
  /// steps of NR values. beta = 0 never reads C. NOTE: kept `@inline(never)`: inlined into a
  /// loop nest it spills accumulators.
  @inline(never)
  public static func multiply(
    depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float
  ) {
    typealias V = SIMD8<Float>
    var c00 = V(); var c01 = V()
    var c10 = V(); var c11 = V()
    var c20 = V(); var c21 = V()
    var c30 = V(); var c31 = V()
    var c40 = V(); var c41 = V()
    var c50 = V(); var c51 = V()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<depth {
      let b0 = pb.loadUnaligned(fromByteOffset: 0, as: V.self)
      let b1 = pb.loadUnaligned(fromByteOffset: 32, as: V.self)
      let a0 = V(repeating: pa[0])
      c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a0, b1)
      let a1 = V(repeating: pa[1])
      c10 = c10.addingProduct(a1, b0); c11 = c11.addingProduct(a1, b1)
      let a2 = V(repeating: pa[2])
      c20 = c20.addingProduct(a2, b0); c21 = c21.addingProduct(a2, b1)
      let a3 = V(repeating: pa[3])
      c30 = c30.addingProduct(a3, b0); c31 = c31.addingProduct(a3, b1)
      let a4 = V(repeating: pa[4])
      c40 = c40.addingProduct(a4, b0); c41 = c41.addingProduct(a4, b1)
      let a5 = V(repeating: pa[5])
      c50 = c50.addingProduct(a5, b0); c51 = c51.addingProduct(a5, b1)
      pa += 6
      pb += 64
    }
    let scale = V(repeating: alpha)
    if beta == 0 {
      store(c00 * scale, to: c + 0 &* ldc + 0)
      store(c01 * scale, to: c + 0 &* ldc + 8)
      store(c10 * scale, to: c + 1 &* ldc + 0)
      store(c11 * scale, to: c + 1 &* ldc + 8)
      store(c20 * scale, to: c + 2 &* ldc + 0)
      store(c21 * scale, to: c + 2 &* ldc + 8)
      store(c30 * scale, to: c + 3 &* ldc + 0)
      store(c31 * scale, to: c + 3 &* ldc + 8)
      store(c40 * scale, to: c + 4 &* ldc + 0)
      store(c41 * scale, to: c + 4 &* ldc + 8)
      store(c50 * scale, to: c + 5 &* ldc + 0)
      store(c51 * scale, to: c + 5 &* ldc + 8)
    } else {
      let keep = V(repeating: beta)
      update(c00, to: c + 0 &* ldc + 0, scale: scale, keep: keep)
      update(c01, to: c + 0 &* ldc + 8, scale: scale, keep: keep)
      update(c10, to: c + 1 &* ldc + 0, scale: scale, keep: keep)
      update(c11, to: c + 1 &* ldc + 8, scale: scale, keep: keep)
      update(c20, to: c + 2 &* ldc + 0, scale: scale, keep: keep)
      update(c21, to: c + 2 &* ldc + 8, scale: scale, keep: keep)
      update(c30, to: c + 3 &* ldc + 0, scale: scale, keep: keep)
      update(c31, to: c + 3 &* ldc + 8, scale: scale, keep: keep)
      update(c40, to: c + 4 &* ldc + 0, scale: scale, keep: keep)
      update(c41, to: c + 4 &* ldc + 8, scale: scale, keep: keep)
      update(c50, to: c + 5 &* ldc + 0, scale: scale, keep: keep)
      update(c51, to: c + 5 &* ldc + 8, scale: scale, keep: keep)
    }
  }

  @inline(__always)
  private static func store(_ value: SIMD8<Float>, to pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
  }

  /// pointer[0..<lanes] = scale · value + keep · pointer[0..<lanes], one rounding per FMA.
  @inline(__always)
  private static func update(
    _ value: SIMD8<Float>, to pointer: UnsafeMutablePointer<Float>, scale: SIMD8<Float>, keep: SIMD8<Float>
  ) {
    let old = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    store((old * keep).addingProduct(value, scale), to: pointer)
  }
}
