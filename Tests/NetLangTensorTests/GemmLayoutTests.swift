// GemmLayoutTests: where the blocked product reads an operand in place and where it packs it,
// from the strides alone (the products' bits are the same either way: GemmTests).

import Testing

@testable import NetLangTensor

/// Where the problems below point: only their sizes and strides are looked at.
nonisolated(unsafe) private let dummy = UnsafeMutablePointer<Float>.allocate(capacity: 1)

/// An untransposed M×N×K problem with the given leading dimensions.
private func problem(m: Int, n: Int, k: Int, lda: Int, ldb: Int) -> Gemm.Problem {
  Gemm.Problem(
    transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: dummy, lda: lda,
    b: dummy, ldb: ldb, beta: 0, c: dummy, ldc: n)
}

@Test("B is read in place for short products unless its rows are a multiple of 256 bytes apart")
func gemmInPlaceBLayouts() {
  let kernel = GemmKernel.avx512
  // Two tiles of rows or fewer: in place whatever the stride.
  #expect(problem(m: 24, n: 512, k: 256, lda: 256, ldb: 512).readsBInPlace(kernel, rows: 24))
  // 64 rows: in place while a depth block spans at most inPlaceBSpan floats of B, and its rows
  // are not a multiple of 64 floats apart.
  #expect(problem(m: 64, n: 500, k: 256, lda: 256, ldb: 500).readsBInPlace(kernel, rows: 64))
  #expect(!problem(m: 64, n: 512, k: 256, lda: 256, ldb: 512).readsBInPlace(kernel, rows: 64))
  #expect(!problem(m: 64, n: 256, k: 512, lda: 512, ldb: 256).readsBInPlace(kernel, rows: 64))
  #expect(!problem(m: 64, n: 784, k: 512, lda: 512, ldb: 784).readsBInPlace(kernel, rows: 64))
  // More rows than inPlaceBRows: packed.
  #expect(!problem(m: 200, n: 500, k: 256, lda: 256, ldb: 500).readsBInPlace(kernel, rows: 200))
}

@Test("A is packed when its rows are a multiple of 4 KiB apart and C has 16 column tiles")
func gemmAliasingRowsOfA() {
  #expect(problem(m: 1024, n: 1024, k: 1024, lda: 1024, ldb: 1024).rowsAlias)
  #expect(problem(m: 64, n: 512, k: 1000, lda: 2048, ldb: 512).rowsAlias)
  #expect(!problem(m: 1024, n: 256, k: 1024, lda: 1024, ldb: 256).rowsAlias)
  #expect(!problem(m: 1024, n: 1024, k: 1000, lda: 1000, ldb: 1024).rowsAlias)
}
