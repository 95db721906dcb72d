// MicroKernelAVX512: the 8×32 SGEMM register tile for CPUs with AVX-512F. Built with -mavx512f -mfma;
// NetLangTensor's Gemm calls it only after a run-time CPU check.
//
// MR = 8 rows of C, NR = 32 columns of C (2 vectors of 16 lanes), KC = packed depth.

/// SGEMM micro-kernel using 32 zmm registers: 16 accumulators, 2 B vectors, a broadcast.
public enum MicroKernelAVX512 {
  /// Rows of the C tile (MR).
  public static let rows = 8
  /// Columns of the C tile (NR).
  public static let columns = 32

  /// C[MR×NR] = alpha · A·B + beta · C, with A packed as KC steps of MR values and B as KC
  /// steps of NR values. beta = 0 never reads C. NOTE: kept `@inline(never)`: inlined into a
  /// loop nest it spills accumulators.
  @inline(never)
  public static func multiply(
    depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float
  ) {
    typealias V = SIMD16<Float>
    var c00 = V(); var c01 = V()
    var c10 = V(); var c11 = V()
    var c20 = V(); var c21 = V()
    var c30 = V(); var c31 = V()
    var c40 = V(); var c41 = V()
    var c50 = V(); var c51 = V()
    var c60 = V(); var c61 = V()
    var c70 = V(); var c71 = V()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<depth {
      let b0 = pb.loadUnaligned(fromByteOffset: 0, as: V.self)
      let b1 = pb.loadUnaligned(fromByteOffset: 64, as: V.self)
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
      let a6 = V(repeating: pa[6])
      c60 = c60.addingProduct(a6, b0); c61 = c61.addingProduct(a6, b1)
      let a7 = V(repeating: pa[7])
      c70 = c70.addingProduct(a7, b0); c71 = c71.addingProduct(a7, b1)
      pa += 8
      pb += 128
    }
    let scale = V(repeating: alpha)
    if beta == 0 {
      store(c00 * scale, to: c + 0 &* ldc + 0)
      store(c01 * scale, to: c + 0 &* ldc + 16)
      store(c10 * scale, to: c + 1 &* ldc + 0)
      store(c11 * scale, to: c + 1 &* ldc + 16)
      store(c20 * scale, to: c + 2 &* ldc + 0)
      store(c21 * scale, to: c + 2 &* ldc + 16)
      store(c30 * scale, to: c + 3 &* ldc + 0)
      store(c31 * scale, to: c + 3 &* ldc + 16)
      store(c40 * scale, to: c + 4 &* ldc + 0)
      store(c41 * scale, to: c + 4 &* ldc + 16)
      store(c50 * scale, to: c + 5 &* ldc + 0)
      store(c51 * scale, to: c + 5 &* ldc + 16)
      store(c60 * scale, to: c + 6 &* ldc + 0)
      store(c61 * scale, to: c + 6 &* ldc + 16)
      store(c70 * scale, to: c + 7 &* ldc + 0)
      store(c71 * scale, to: c + 7 &* ldc + 16)
    } else {
      let keep = V(repeating: beta)
      update(c00, to: c + 0 &* ldc + 0, scale: scale, keep: keep)
      update(c01, to: c + 0 &* ldc + 16, scale: scale, keep: keep)
      update(c10, to: c + 1 &* ldc + 0, scale: scale, keep: keep)
      update(c11, to: c + 1 &* ldc + 16, scale: scale, keep: keep)
      update(c20, to: c + 2 &* ldc + 0, scale: scale, keep: keep)
      update(c21, to: c + 2 &* ldc + 16, scale: scale, keep: keep)
      update(c30, to: c + 3 &* ldc + 0, scale: scale, keep: keep)
      update(c31, to: c + 3 &* ldc + 16, scale: scale, keep: keep)
      update(c40, to: c + 4 &* ldc + 0, scale: scale, keep: keep)
      update(c41, to: c + 4 &* ldc + 16, scale: scale, keep: keep)
      update(c50, to: c + 5 &* ldc + 0, scale: scale, keep: keep)
      update(c51, to: c + 5 &* ldc + 16, scale: scale, keep: keep)
      update(c60, to: c + 6 &* ldc + 0, scale: scale, keep: keep)
      update(c61, to: c + 6 &* ldc + 16, scale: scale, keep: keep)
      update(c70, to: c + 7 &* ldc + 0, scale: scale, keep: keep)
      update(c71, to: c + 7 &* ldc + 16, scale: scale, keep: keep)
    }
  }

  @inline(__always)
  private static func store(_ value: SIMD16<Float>, to pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD16<Float>.self)
  }

  /// pointer[0..<lanes] = scale · value + keep · pointer[0..<lanes], one rounding per FMA.
  @inline(__always)
  private static func update(
    _ value: SIMD16<Float>, to pointer: UnsafeMutablePointer<Float>, scale: SIMD16<Float>, keep: SIMD16<Float>
  ) {
    let old = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    store((old * keep).addingProduct(value, scale), to: pointer)
  }
}
