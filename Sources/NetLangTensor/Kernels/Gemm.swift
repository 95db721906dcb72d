// Gemm: C = alpha·op(A)·op(B) + beta·C on row-major Float matrices. BLIS loop order over
// packed panels and a register-tile micro-kernel (GemmKernel), split across a WorkerPool.
//
// M = rows of op(A) and C, N = columns of op(B) and C, K = the shared dimension.
// MR × NR = micro-tile, MC × KC = packed A block, KC × NC = packed B block.

/// Takes the result of a product block by block as the product finishes each one: `rows` ×
/// `columns` of C at (`row`, `column`), as `values[r * stride + c]`. Every element of C comes
/// exactly once, with the bits C would have; the values may live in scratch instead of C (which
/// is then left unwritten), so they are to be used within the call. The parts of a split
/// product call it from their own threads, each with its own blocks.
///
/// A class, so handing one to `Gemm.multiply` costs no allocation.
public protocol GemmBlockConsumer: AnyObject {
  func consume(
    row: Int, column: Int, rows: Int, columns: Int, values: UnsafePointer<Float>, stride: Int)
}

/// General matrix multiply, row-major, like cblas_sgemm(CblasRowMajor, ...).
public enum Gemm {
  /// Work (in flops, 2·M·N·K) below which a part is not worth a thread handoff (~25 µs of
  /// work; a handoff to a spinning worker costs a few µs): LeNet's 400→120 layer splits.
  static let minimumFlopsPerPart = 3_000_000
  /// Products up to this many multiply-adds skip packing.
  static let smallProduct = 4096

  /// C[M×N] = alpha · op(A)[M×K] · op(B)[K×N] + beta · C.
  ///
  /// `lda`, `ldb`, `ldc` are row strides of A, B, C as stored (A is K×M when transposed). beta = 0
  /// ignores C's old contents (even NaN). With a `pool`, big products are split across its threads.
  ///
  /// `rowBias` (N values): C is first set to the bias in every row and the product added to it
  /// (beta is then taken as 1), each part of a split product filling its own block of C, on
  /// the thread that then computes it.
  ///
  /// `activation`: once C is final, f(C) is written to the activation's output as well, each
  /// part of a split product doing its own block right after computing it (while it is in that
  /// core's cache).
  ///
  /// `consumer`: C is handed over block by block as it is finished (see `GemmBlockConsumer`;
  /// with beta = 0, no bias and K within one depth block, C itself is not written). Not
  /// together with an activation.
  public static func multiply(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
    rowBias: UnsafePointer<Float>? = nil, activation: Activation? = nil,
    consumer: (any GemmBlockConsumer)? = nil, pool: WorkerPool? = nil
  ) {
    multiply(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, rowBias: rowBias,
      activation: activation, consumer: consumer, pool: pool, kernel: GemmKernel.best)
  }

  /// An elementwise function applied to C once it is final, written to `output` (row stride
  /// `ldo`, the same M × N), with the same kernels (and bits) as the standalone ops.
  public struct Activation: @unchecked Sendable {
    public enum Function: Sendable, Equatable {
      case relu
      case leakyRelu(slope: Float)
      case sigmoid
      case tanh
    }
    public var function: Function
    public var output: UnsafeMutablePointer<Float>
    public var ldo: Int

    public init(_ function: Function, output: UnsafeMutablePointer<Float>, ldo: Int) {
      self.function = function
      self.output = output
      self.ldo = ldo
    }

    /// f over `rows` × `columns` of `c` (row stride `ldc`) at row `row`, column `column`.
    func apply(
      _ c: UnsafePointer<Float>, ldc: Int, row: Int, column: Int, rows: Int, columns: Int
    ) {
      let x = c + (row &* ldc &+ column)
      let y = output + (row &* ldo &+ column)
      // Whole rows of both: one call over the block.
      if columns == ldc && columns == ldo {
        apply(x, y, count: rows &* columns)
        return
      }
      for r in 0..<rows { apply(x + r &* ldc, y + r &* ldo, count: columns) }
    }

    private func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
      switch function {
      case .relu: Pointwise.relu(x, y, count: count)
      case .leakyRelu(let slope): Pointwise.leakyRelu(x, slope: slope, y, count: count)
      case .sigmoid: VectorMath.sigmoid(x, y, count: count)
      case .tanh: VectorMath.tanh(x, y, count: count)
      }
    }
  }

  /// `multiply` with an explicit micro-kernel (tests run every kernel the CPU supports).
  package static func multiply(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
    rowBias: UnsafePointer<Float>? = nil, activation: Activation? = nil,
    consumer: (any GemmBlockConsumer)? = nil, pool: WorkerPool?,
    kernel: GemmKernel
  ) {
    assert(activation == nil || consumer == nil, "a consumer may find C unwritten")
    // Empty (or, defensively, negative) sizes: nothing to compute; k ≤ 0 only scales C.
    guard m > 0, n > 0 else { return }
    let problem = Problem(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
      a: a, lda: lda, b: b, ldb: ldb, beta: rowBias == nil ? beta : 1, c: c, ldc: ldc)
    // Every path but the split one fills the bias into all of C on this thread first, and
    // applies the activation to all of it at the end; the unblocked ones hand all of C to the
    // consumer at the end too (the blocked ones do it block by block).
    func whole() -> Problem {
      if let rowBias { problem.fill(rowBias) }
      return problem
    }
    func activateWhole() {
      activation?.apply(c, ldc: ldc, row: 0, column: 0, rows: m, columns: n)
    }
    func finishUnblocked() {
      activateWhole()
      consumer?.consume(row: 0, column: 0, rows: m, columns: n, values: c, stride: ldc)
    }
    if k <= 0 || alpha == 0 {
      whole().scaleC()
      finishUnblocked()
      return
    }
    if m &* n &* k <= smallProduct {
      whole().multiplyDirect()
      finishUnblocked()
      return
    }
    if n < narrowColumns, m > n {
      multiplyTransposed(whole(), pool: pool, kernel: kernel)
      finishUnblocked()
      return
    }
    let flops = 2 * m &* n &* k
    let threads = pool?.threads ?? 1
    let parts = min(threads, flops / minimumFlopsPerPart)
    guard let pool, parts > 1 else {
      whole().multiplyBlocked(kernel: kernel, consumer: consumer)
      activateWhole()
      return
    }
    // Column parts pack their own panels of B and read A in place (or each pack all of it);
    // when A is read in place or each thread can keep it packed, the columns go in chunks
    // claimed from both ends as threads come free (GemmChunks). Row parts share one packing
    // of all of B, which every part then reads, half of it packed on another core.
    // Deep products split by columns whenever there are columns to split (measured at 2
    // threads: the mlp's K = 256..784 products 5-24% faster than split by rows); shallower
    // ones along the dimension with more tiles (the autoencoder's and the batch-64 mlp's
    // weight gradients, K = 64..100, were as fast or faster by rows).
    let rowTiles = (m &+ kernel.rows &- 1) / kernel.rows
    let columnTiles = (n &+ kernel.columns &- 1) / kernel.columns
    let splitColumns =
      columnTiles >= rowTiles || (k >= deepProduct && columnTiles >= parts)
    let tiles = splitColumns ? columnTiles : rowTiles
    let partCount = min(parts, tiles)
    // A part's block of C (first row and column, the block), its bias filled in first when
    // there is one.
    func part(_ index: Int) -> (row: Int, column: Int, block: Problem) {
      let first = tiles &* index / partCount
      let last = tiles &* (index &+ 1) / partCount
      let (row, column) = splitColumns ? (0, first &* kernel.columns) : (first &* kernel.rows, 0)
      let block =
        splitColumns
        ? problem.columns(column, min(n, last &* kernel.columns))
        : problem.rows(row, min(m, last &* kernel.rows))
      if let rowBias { block.fill(rowBias + column) }
      return (row, column, block)
    }
    // One part: its product (on all of B packed beforehand, when shared), then its activation.
    func compute(_ index: Int, packedB: UnsafePointer<Float>?) {
      let (row, column, block) = part(index)
      block.multiplyBlocked(kernel: kernel, packedB: packedB, consumer: consumer)
      activation?.apply(c, ldc: ldc, row: row, column: column, rows: block.m, columns: block.n)
    }
    let sharesB = !splitColumns && !problem.readsBInPlace(kernel, rows: m / partCount)
    guard sharesB else {
      if splitColumns && splitsInChunks(problem, threads: partCount, kernel: kernel) {
        multiplyInChunks(
          problem, rowBias: rowBias, activation: activation, consumer: consumer, pool: pool,
          threads: partCount, kernel: kernel)
      } else {
        pool.run(parts: partCount) { compute($0, packedB: nil) }
      }
      return
    }
    GemmScratch.shared.withFloats(problem.packedBCount(kernel)) { packed in
      pool.run(parts: partCount) {
        problem.packB(part: $0, of: partCount, kernel: kernel, into: packed)
      }
      pool.run(parts: partCount) { compute($0, packedB: packed) }
    }
  }

  /// The most Floats a depth block of an untransposed B may span (rows × row stride) to be
  /// read in place (see `Problem.readsBInPlace`): 512 KiB.
  static let inPlaceBSpan = 1 << 17

  /// Products at least this deep split by columns when they can (see `multiply`).
  static let deepProduct = 256

  /// Products with fewer columns than this and more rows run as their transpose: a register
  /// tile is 32 columns wide (12 rows), so a classifier's 10 outputs would leave two thirds of
  /// every tile idle.
  static let narrowColumns = 16

  /// C = alpha·op(A)·op(B) + beta·C computed as Cᵀ = alpha·op(B)ᵀ·op(A)ᵀ + beta·Cᵀ in
  /// scratch. Each element sees the same multiply-adds in the same order as the direct
  /// product (C's old values go into the scratch first, as the kernels would read them).
  private static func multiplyTransposed(_ p: Problem, pool: WorkerPool?, kernel: GemmKernel) {
    let (m, n, ldc, c) = (p.m, p.n, p.ldc, p.c)
    GemmScratch.shared.withFloats(m &* n) { cT in
      if p.beta != 0 {
        for i in 0..<m {
          for j in 0..<n { cT[j &* m &+ i] = c[i &* ldc &+ j] }
        }
      }
      multiply(
        transposeA: !p.transposeB, transposeB: !p.transposeA, m: n, n: m, k: p.k,
        alpha: p.alpha, a: p.b, lda: p.ldb, b: p.a, ldb: p.lda, beta: p.beta, c: cT, ldc: m,
        pool: pool, kernel: kernel)
      for i in 0..<m {
        for j in 0..<n { c[i &* ldc &+ j] = cT[j &* m &+ i] }
      }
    }
  }

  /// The naive triple loop (the oracle for tests and the small-size fallback's twin).
  public static func referenceMultiply(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    for i in 0..<m {
      for j in 0..<n {
        var sum: Float = 0
        for p in 0..<k {
          let x = transposeA ? a[p * lda + i] : a[i * lda + p]
          let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
          sum += x * y
        }
        let old = beta == 0 ? 0 : beta * c[i * ldc + j]
        c[i * ldc + j] = alpha * sum + old
      }
    }
  }
}
