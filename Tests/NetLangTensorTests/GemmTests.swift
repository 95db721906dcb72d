// GemmTests: the packed GEMM against the naive reference for every micro-kernel this CPU can
// run, over transposes, ragged edges, padded strides, alpha/beta and thread counts.

import NetLangTensor
import Testing

/// One GEMM configuration; strides exceed the logical widths by `pad`.
struct GemmCase: CustomStringConvertible, Sendable {
  var transposeA = false
  var transposeB = false
  var m: Int
  var n: Int
  var k: Int
  var alpha: Float = 1
  var beta: Float = 0
  var pad = 0

  /// Row strides of A, B and C as stored, `pad` floats after every row.
  var lda: Int { (transposeA ? m : k) + pad }
  var ldb: Int { (transposeB ? k : n) + pad }
  var ldc: Int { n + pad }
  /// Floats of A and of B as stored.
  var aCount: Int { (transposeA ? k : m) * lda }
  var bCount: Int { (transposeB ? n : k) * ldb }

  var description: String {
    "\(transposeA ? "T" : "N")\(transposeB ? "T" : "N") m\(m) n\(n) k\(k) "
      + "alpha\(alpha) beta\(beta) pad\(pad)"
  }

  /// Runs the case with `kernel` (and `pool`) and with the reference; returns both C's.
  func run(kernel: GemmKernel, pool: WorkerPool?, seed: UInt64) -> (fast: [Float], slow: [Float]) {
    let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
    let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
    let lda = aColumns + pad
    let ldb = bColumns + pad
    let ldc = n + pad
    let a = randomFloats(aRows * lda, seed: seed)
    let b = randomFloats(bRows * ldb, seed: seed &+ 1)
    var fast = randomFloats(m * ldc, seed: seed &+ 2)
    var slow = fast
    Gemm.multiply(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &fast, ldc: ldc, pool: pool,
      kernel: kernel)
    Gemm.referenceMultiply(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &slow, ldc: ldc)
    return (fast, slow)
  }

  /// The edge cases: sizes of 1, sizes around every tile width, all transposes, beta ≠ 0,
  /// strides wider than the rows, and a depth beyond one KC block.
  static let all: [GemmCase] = {
    var cases: [GemmCase] = []
    for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
      for (m, n, k) in [
        (1, 1, 1), (1, 37, 5), (9, 1, 13), (3, 4, 1), (8, 32, 16), (13, 33, 29), (17, 47, 70),
        (6, 16, 300), (25, 70, 9), (40, 65, 600),
      ] {
        cases.append(GemmCase(transposeA: ta, transposeB: tb, m: m, n: n, k: k))
      }
      cases.append(GemmCase(transposeA: ta, transposeB: tb, m: 19, n: 35, k: 23, beta: 0.5))
      cases.append(
        GemmCase(transposeA: ta, transposeB: tb, m: 21, n: 50, k: 31, alpha: -2, beta: 1, pad: 3))
      cases.append(GemmCase(transposeA: ta, transposeB: tb, m: 7, n: 9, k: 300, pad: 5))
      // Fewer than 16 columns and more rows: computed as the transposed product.
      cases.append(GemmCase(transposeA: ta, transposeB: tb, m: 300, n: 10, k: 256, beta: 0.5))
      cases.append(
        GemmCase(transposeA: ta, transposeB: tb, m: 40, n: 15, k: 600, alpha: -2, beta: 1, pad: 2))
      cases.append(GemmCase(transposeA: ta, transposeB: tb, m: 100, n: 1, k: 50))
    }
    return cases
  }()
}

@Test(
  "packed GEMM matches the naive reference for every kernel",
  arguments: GemmKernel.available.map(\.name))
func gemmMatchesReference(kernelName: String) throws {
  let kernel = try #require(GemmKernel.available.first { $0.name == kernelName })
  for (index, testCase) in GemmCase.all.enumerated() {
    let (fast, slow) = testCase.run(kernel: kernel, pool: nil, seed: UInt64(index) * 7)
    let tolerance = 1e-5 * Float(testCase.k + 4) * max(1, abs(testCase.alpha))
    let error = maxAbsDifference(fast, slow)
    #expect(error <= tolerance, "\(kernel.name) \(testCase): error \(error)")
  }
}

@Test(
  "tiny cache blocks (many KC, MC, NC blocks) still match the reference",
  arguments: GemmKernel.available.map(\.name))
func gemmSmallBlocksMatchReference(kernelName: String) throws {
  let base = try #require(GemmKernel.available.first { $0.name == kernelName })
  let kernel = base.withBlocks(depth: 7, rows: 1, columns: 1)
  for (index, testCase) in GemmCase.all.enumerated() where testCase.m * testCase.n > 100 {
    let (fast, slow) = testCase.run(kernel: kernel, pool: nil, seed: UInt64(index) * 3)
    let tolerance = 1e-5 * Float(testCase.k + 4) * max(1, abs(testCase.alpha))
    let error = maxAbsDifference(fast, slow)
    #expect(error <= tolerance, "\(kernel.name) \(testCase): error \(error)")
  }
}

@Test("the public entry point uses a kernel that agrees with the reference")
func gemmDefaultKernel() {
  let testCase = GemmCase(transposeA: false, transposeB: true, m: 33, n: 41, k: 57, beta: 0.25)
  let (fast, slow) = testCase.run(kernel: GemmKernel.best, pool: nil, seed: 99)
  #expect(maxAbsDifference(fast, slow) < 1e-4)
}

@Test("beta = 0 overwrites NaN in C; alpha = 0 and k = 0 only scale C")
func gemmSpecialScalars() {
  let a: [Float] = Array(repeating: 1, count: 64 * 64)
  let b: [Float] = Array(repeating: 2, count: 64 * 64)
  for kernel in GemmKernel.available {
    var c = [Float](repeating: .nan, count: 64 * 64)
    Gemm.multiply(
      transposeA: false, transposeB: false, m: 64, n: 64, k: 64, alpha: 1, a: a, lda: 64, b: b,
      ldb: 64, beta: 0, c: &c, ldc: 64, pool: nil, kernel: kernel)
    #expect(c.allSatisfy { $0 == 128 }, "\(kernel.name)")
  }
  var c = [Float](repeating: 3, count: 4)
  Gemm.multiply(
    transposeA: false, transposeB: false, m: 2, n: 2, k: 0, alpha: 1, a: a, lda: 1, b: b,
    ldb: 2, beta: 2, c: &c, ldc: 2)
  #expect(c == [6, 6, 6, 6])
  Gemm.multiply(
    transposeA: false, transposeB: false, m: 2, n: 2, k: -1, alpha: 1, a: a, lda: 1, b: b,
    ldb: 2, beta: 0.5, c: &c, ldc: 2)
  #expect(c == [3, 3, 3, 3])
  Gemm.multiply(
    transposeA: false, transposeB: false, m: -2, n: 2, k: 2, alpha: 1, a: a, lda: 2, b: b,
    ldb: 2, beta: 0, c: &c, ldc: 2)
  #expect(c == [3, 3, 3, 3])
  Gemm.multiply(
    transposeA: false, transposeB: false, m: 2, n: 2, k: 2, alpha: 0, a: a, lda: 2, b: b,
    ldb: 2, beta: 0, c: &c, ldc: 2)
  #expect(c == [0, 0, 0, 0])
}

@Test("a multithreaded product equals the single-threaded one bit for bit")
func gemmThreadsAgree() {
  let pool = WorkerPool(threads: 3)
  for testCase in [
    GemmCase(m: 150, n: 200, k: 100, beta: 0.5),
    GemmCase(transposeA: true, transposeB: true, m: 300, n: 40, k: 90),
    GemmCase(transposeB: true, m: 64, n: 300, k: 160),
    // Short and wide, split by columns: B read in place, then (a depth block of B spanning
    // more than Gemm.inPlaceBSpan floats) packed.
    GemmCase(m: 64, n: 500, k: 200, beta: 1, pad: 2),
    GemmCase(m: 64, n: 710, k: 200, beta: 1, pad: 2),
    // Tall and deep: split by columns while there are as many column tiles as parts.
    GemmCase(m: 400, n: 100, k: 300),
    GemmCase(transposeB: true, m: 250, n: 90, k: 700, beta: 0.5, pad: 3),
    // Tall: split by rows, the parts sharing one packing of B (several depth blocks, and
    // two column blocks in the last case).
    GemmCase(m: 400, n: 60, k: 300),
    GemmCase(transposeB: true, m: 250, n: 50, k: 700, beta: 0.5, pad: 3),
    GemmCase(transposeA: true, transposeB: true, m: 1300, n: 1040, k: 8),
  ] {
    let single = testCase.run(kernel: GemmKernel.best, pool: nil, seed: 5).fast
    let (threaded, slow) = testCase.run(kernel: GemmKernel.best, pool: pool, seed: 5)
    #expect(single == threaded, "\(testCase)")
    #expect(maxAbsDifference(threaded, slow) < 1e-3, "\(testCase)")
  }
}

@Test("a product split in chunks puts the biggest at both ends, single tiles in the middle")
func gemmChunkTable() {
  func chunks(tiles: Int, threads: Int) -> [Int] {
    var bounds = [Int](repeating: -1, count: tiles + 1)
    let count = Gemm.chunkBounds(tiles: tiles, threads: threads, into: &bounds)
    #expect(bounds[0] == 0 && bounds[count] == tiles)
    return (0..<count).map { bounds[$0 + 1] - bounds[$0] }
  }
  // Guided sizes ⌈remaining / 4⌉ at 2 threads: 16 → 4, 12 → 3, 9 → 3, 6 → 2, 4 → 1, then
  // singles; alternately from the left (4, 3, 1, 1) and from the right (3, 2, 1, 1).
  #expect(chunks(tiles: 16, threads: 2) == [4, 3, 1, 1, 1, 1, 2, 3])
  // 25: 7, 5, 4, 3, 2, 1, 1, 1, 1.
  #expect(chunks(tiles: 25, threads: 2) == [7, 4, 2, 1, 1, 1, 1, 3, 5])
  #expect(chunks(tiles: 3, threads: 2) == [1, 1, 1])
  #expect(chunks(tiles: 1, threads: 2) == [1])
  // 12 at 3 threads: 2, 2, 2, 1, 1, 1, 1, 1, 1.
  #expect(chunks(tiles: 12, threads: 3) == [2, 2, 1, 1, 1, 1, 1, 1, 2])
}

@Test("the transposing pack of every instruction set equals a plain transpose, padding zeroed")
func packStridedMatchesTranspose() {
  for implementation in VectorMath.Implementation.available {
    for (lines, depth, width) in [(12, 37, 12), (7, 20, 12), (5, 9, 8), (3, 5, 32), (25, 40, 32)] {
      let stride = depth + 3
      let source = randomFloats(lines * stride, seed: UInt64(lines * 100 + depth))
      var panel = [Float](repeating: .nan, count: depth * width)
      source.withUnsafeBufferPointer { s in
        panel.withUnsafeMutableBufferPointer { p in
          GemmPacking.packStrided(
            source: s.baseAddress!, stride: stride, lines: lines, depth: depth, width: width,
            into: p.baseAddress!, using: implementation)
        }
      }
      var expected = [Float](repeating: 0, count: depth * width)
      for line in 0..<lines {
        for p in 0..<depth { expected[p * width + line] = source[line * stride + p] }
      }
      #expect(panel == expected, "\(implementation) lines \(lines) depth \(depth) width \(width)")
    }
  }
}

@Test("the row pack of every instruction set deals rows out to panels, padding zeroed")
func packRowsMatchesPanels() {
  for implementation in VectorMath.Implementation.available {
    // (depth, columns, width): whole panels only, a ragged last panel, one narrow panel.
    for (depth, columns, width) in [(5, 64, 32), (7, 45, 16), (3, 70, 32), (4, 3, 8)] {
      let stride = columns + 9
      let source = randomFloats((depth + 2) * stride, seed: UInt64(depth * 100 + columns))
      let panels = (columns + width - 1) / width
      var packed = [Float](repeating: .nan, count: panels * width * depth)
      source.withUnsafeBufferPointer { s in
        packed.withUnsafeMutableBufferPointer { p in
          GemmPacking.packRows(
            s.baseAddress!, stride: stride, depth0: 2, column0: 5, depth: depth,
            columns: columns, width: width, into: p.baseAddress!, using: implementation)
        }
      }
      var expected = [Float](repeating: 0, count: packed.count)
      for p in 0..<depth {
        for j in 0..<columns {
          expected[(j / width) * width * depth + p * width + j % width] =
            source[(2 + p) * stride + 5 + j]
        }
      }
      #expect(packed == expected, "\(implementation) depth \(depth) columns \(columns)")
    }
  }
}

@Test(
  "a product with fewer than 16 columns equals, bit for bit, those columns of a wider product",
  arguments: [(false, true), (false, false), (true, false), (true, true)])
func gemmNarrowEqualsWide(transposeA: Bool, transposeB: Bool) {
  // The narrow product runs transposed; each element must still see the same multiply-adds in
  // the same order as in a product of 16 columns (which is not transposed). Depth 600 spans
  // three KC blocks, beta = 1 adds C (a bias) first.
  let m = 70, k = 600, narrow = 10, wide = 16
  let a = randomFloats(m * k, seed: 41)
  let bWide = randomFloats(k * wide, seed: 42)
  // op(B) is K × N: stored N × K when transposed (the first `narrow` rows are the narrow B),
  // else K × N with row stride `wide` (the first `narrow` columns).
  let bStride = transposeB ? k : wide
  let cStart = randomFloats(m * wide, seed: 43)
  var cWide = cStart
  var cNarrow = cStart
  Gemm.multiply(
    transposeA: transposeA, transposeB: transposeB, m: m, n: wide, k: k, alpha: 1, a: a,
    lda: transposeA ? m : k, b: bWide, ldb: bStride, beta: 1, c: &cWide, ldc: wide)
  Gemm.multiply(
    transposeA: transposeA, transposeB: transposeB, m: m, n: narrow, k: k, alpha: 1, a: a,
    lda: transposeA ? m : k, b: bWide, ldb: bStride, beta: 1, c: &cNarrow, ldc: wide)
  var equal = true
  for i in 0..<m {
    for j in 0..<wide {
      let expected = j < narrow ? cWide[i * wide + j] : cStart[i * wide + j]
      if cNarrow[i * wide + j].bitPattern != expected.bitPattern { equal = false }
    }
  }
  #expect(equal)
}

/// One product down every path of `Gemm.multiply` (with 3 threads): split by columns, split
/// by rows sharing B, narrow (run transposed), small (direct), k = 0, alpha = 0, and too small
/// to split.
let gemmPathCases = [
  GemmCase(transposeB: true, m: 100, n: 500, k: 300, pad: 2),
  GemmCase(m: 400, n: 60, k: 300),
  GemmCase(transposeA: true, m: 300, n: 10, k: 256, pad: 1),
  GemmCase(m: 3, n: 5, k: 7),
  GemmCase(m: 40, n: 50, k: 0),
  GemmCase(m: 40, n: 50, k: 20, alpha: 0),
  GemmCase(transposeA: true, m: 30, n: 40, k: 20),
]

@Test("a product with a row bias equals the bias filled into C and added to with beta = 1")
func gemmRowBiasEqualsFill() {
  let pool = WorkerPool(threads: 3)
  for testCase in gemmPathCases {
    let (m, n, k) = (testCase.m, testCase.n, testCase.k)
    let (lda, ldb, ldc) = (testCase.lda, testCase.ldb, testCase.ldc)
    let a = randomFloats(testCase.aCount, seed: 31)
    let b = randomFloats(testCase.bCount, seed: 32)
    let bias = randomFloats(n, seed: 33)
    func product(pool: WorkerPool?, fused: Bool) -> [Float] {
      var c = [Float](repeating: .nan, count: m * ldc)
      if !fused {
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] = bias[j] } }
      }
      bias.withUnsafeBufferPointer { row in
        Gemm.multiply(
          transposeA: testCase.transposeA, transposeB: testCase.transposeB, m: m, n: n, k: k,
          alpha: testCase.alpha, a: a, lda: lda, b: b, ldb: ldb, beta: fused ? 0 : 1, c: &c,
          ldc: ldc, rowBias: fused ? row.baseAddress : nil, pool: pool)
      }
      return c
    }
    let expected = product(pool: nil, fused: false)
    for threads in [nil, pool] {
      let fused = product(pool: threads, fused: true)
      // The padding between rows is never written (NaN), so compare bit patterns.
      let differing = fused.indices.filter { fused[$0].bitPattern != expected[$0].bitPattern }
      #expect(
        differing.isEmpty,
        "\(testCase) threads \(threads?.threads ?? 1): \(differing.count) values differ")
    }
  }
}

@Test(
  "a product with an activation writes f(C) beside C, as the standalone kernel would",
  arguments: [
    Gemm.Activation.Function.relu, .leakyRelu(slope: 0.1), .sigmoid, .tanh,
  ])
func gemmActivationEqualsStandalone(function: Gemm.Activation.Function) {
  let pool = WorkerPool(threads: 3)
  for testCase in gemmPathCases {
    let (m, n, k) = (testCase.m, testCase.n, testCase.k)
    let (lda, ldb, ldc) = (testCase.lda, testCase.ldb, testCase.ldc)
    // The output's rows are padded differently from C's, so a mixed-up stride shows.
    let ldo = n + 3
    let a = randomFloats(testCase.aCount, seed: 41)
    let b = randomFloats(testCase.bCount, seed: 42)
    let bias = randomFloats(n, seed: 43)
    func product(pool: WorkerPool?, fused: Bool) -> (c: [Float], y: [Float]) {
      var c = [Float](repeating: .nan, count: m * ldc)
      var y = [Float](repeating: .nan, count: m * ldo)
      y.withUnsafeMutableBufferPointer { out in
        bias.withUnsafeBufferPointer { row in
          Gemm.multiply(
            transposeA: testCase.transposeA, transposeB: testCase.transposeB, m: m, n: n, k: k,
            alpha: testCase.alpha, a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: &c, ldc: ldc,
            rowBias: row.baseAddress,
            activation: fused ? Gemm.Activation(function, output: out.baseAddress!, ldo: ldo) : nil,
            pool: pool)
        }
        guard !fused else { return }
        // The standalone kernel, over C's rows one by one.
        for i in 0..<m {
          c.withUnsafeBufferPointer { c in
            let x = c.baseAddress! + i * ldc, target = out.baseAddress! + i * ldo
            switch function {
            case .relu: Pointwise.relu(x, target, count: n)
            case .leakyRelu(let slope): Pointwise.leakyRelu(x, slope: slope, target, count: n)
            case .sigmoid: VectorMath.sigmoid(x, target, count: n)
            case .tanh: VectorMath.tanh(x, target, count: n)
            }
          }
        }
      }
      return (c, y)
    }
    let expected = product(pool: nil, fused: false)
    #expect(expected.y.contains { !$0.isNaN && $0 != 0 })
    for threads in [nil, pool] {
      let fused = product(pool: threads, fused: true)
      // Padding is never written (NaN): compare bit patterns.
      let differing = fused.y.indices.filter { fused.y[$0].bitPattern != expected.y[$0].bitPattern }
        .count
      #expect(differing == 0, "\(testCase) threads \(threads?.threads ?? 1): outputs differ")
      let sameC = fused.c.map(\.bitPattern) == expected.c.map(\.bitPattern)
      #expect(sameC, "\(testCase) threads \(threads?.threads ?? 1): C differs")
    }
  }
}

/// Collects the blocks a product hands over into a matrix of its own, counting the visits of
/// every element (the parts of a split product write disjoint blocks from their threads).
private final class CollectingConsumer: GemmBlockConsumer, @unchecked Sendable {
  let values: UnsafeMutablePointer<Float>
  let visits: UnsafeMutablePointer<Int>
  let m: Int, n: Int

  init(m: Int, n: Int) {
    self.m = m
    self.n = n
    values = .allocate(capacity: max(m * n, 1))
    values.initialize(repeating: .nan, count: max(m * n, 1))
    visits = .allocate(capacity: max(m * n, 1))
    visits.initialize(repeating: 0, count: max(m * n, 1))
  }

  deinit {
    values.deallocate()
    visits.deallocate()
  }

  func consume(
    row: Int, column: Int, rows: Int, columns: Int, values block: UnsafePointer<Float>,
    stride: Int
  ) {
    for r in 0..<rows {
      for c in 0..<columns {
        let i = (row + r) * n + column + c
        guard row + r < m, column + c < n, i >= 0 else { continue }
        values[i] = block[r * stride + c]
        visits[i] += 1
      }
    }
  }
}

@Test("a product with a block consumer hands over every element of C once, with C's bits")
func gemmConsumerSeesEveryElementOnce() {
  let pool = WorkerPool(threads: 3)
  // Beyond the shared cases: weight-gradient shapes within one depth block (the blocks come
  // from scratch), split by rows, by rows sharing B, and by columns; and deeper ones.
  let cases =
    gemmPathCases + [
      GemmCase(transposeA: true, m: 200, n: 300, k: 100),
      GemmCase(m: 400, n: 64, k: 200),
      GemmCase(m: 120, n: 700, k: 200, pad: 3),
      GemmCase(transposeA: true, m: 500, n: 784, k: 100),
      GemmCase(transposeB: true, m: 64, n: 300, k: 600),
    ]
  for testCase in cases {
    let (m, n, k) = (testCase.m, testCase.n, testCase.k)
    let (lda, ldb, ldc) = (testCase.lda, testCase.ldb, testCase.ldc)
    let a = randomFloats(testCase.aCount, seed: 51)
    let b = randomFloats(testCase.bCount, seed: 52)
    var expected = [Float](repeating: .nan, count: m * ldc)
    Gemm.multiply(
      transposeA: testCase.transposeA, transposeB: testCase.transposeB, m: m, n: n, k: k,
      alpha: testCase.alpha, a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: &expected, ldc: ldc)
    for threads in [nil, pool] {
      let consumer = CollectingConsumer(m: m, n: n)
      var c = [Float](repeating: .nan, count: m * ldc)
      Gemm.multiply(
        transposeA: testCase.transposeA, transposeB: testCase.transposeB, m: m, n: n, k: k,
        alpha: testCase.alpha, a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: &c, ldc: ldc,
        consumer: consumer, pool: threads)
      var wrongVisits = 0
      var differing = 0
      for i in 0..<m {
        for j in 0..<n {
          if consumer.visits[i * n + j] != 1 { wrongVisits += 1 }
          if consumer.values[i * n + j].bitPattern != expected[i * ldc + j].bitPattern {
            differing += 1
          }
        }
      }
      let label = "\(testCase) threads \(threads?.threads ?? 1)"
      #expect(wrongVisits == 0, "\(label): \(wrongVisits) elements not handed over once")
      #expect(differing == 0, "\(label): \(differing) values differ from C's")
    }
  }
}

@Test(
  "reading A in place gives the bits of packing it, ragged rows included", arguments: [true, false])
func gemmInPlaceAEqualsPacked(transposeB: Bool) {
  // Rows left over after whole 12-row tiles: 4 and 8 have in-place tiles, 5 and 2 are packed;
  // 300 deep spans two depth blocks; a pool splits the wide ones in column chunks.
  let pool = WorkerPool(threads: 2)
  for kernel in GemmKernel.available where !kernel.rowMajorA.isEmpty {
    var packing = kernel
    packing.rowMajorA = []
    // The last case's rows of A are 1024 floats apart (k 1000, 24 padding): A is packed.
    for (m, n, k, pad) in [
      (100, 70, 300, 1), (104, 64, 40, 1), (101, 96, 33, 1), (98, 300, 300, 1), (40, 520, 1000, 24),
    ] {
      let testCase = GemmCase(
        transposeB: transposeB, m: m, n: n, k: k, beta: 0.5, pad: pad)
      for threads in [nil, pool] {
        let inPlace = testCase.run(kernel: kernel, pool: threads, seed: 9).fast
        let packed = testCase.run(kernel: packing, pool: threads, seed: 9).fast
        let label = "\(kernel.name) \(testCase) threads \(threads?.threads ?? 1)"
        #expect(inPlace.map(\.bitPattern) == packed.map(\.bitPattern), "\(label)")
      }
    }
  }
}
