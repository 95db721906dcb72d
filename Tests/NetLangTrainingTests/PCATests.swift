// PCATests: the symmetric eigen solver (A·v = λ·v, orthonormality, a 2×2 by hand) and PCA
// (a line in 3-D, the dropped-eigenvalue identity, mnist5k against reference.json).

import Foundation
import NetLangTensor
import Testing

@testable import NetLangTraining

@Suite("pca") struct PCATests {
  @Test("2×2 by hand: [[2, 1], [1, 2]] has eigenvalues 3 and 1 along (1, 1) and (1, -1)")
  func twoByTwo() throws {
    let eigen = try #require(SymmetricEigen.decompose([2, 1, 1, 2], size: 2))
    #expect(abs(eigen.values[0] - 3) < 1e-12 && abs(eigen.values[1] - 1) < 1e-12)
    let r = 0.5.squareRoot()
    #expect(
      abs(abs(eigen.vectors[0]) - r) < 1e-12 && abs(eigen.vectors[0] - eigen.vectors[1]) < 1e-12)
    #expect(abs(eigen.vectors[2] + eigen.vectors[3]) < 1e-12)
  }

  @Test("PCA of four 2-D points by hand: variances 4/3 and 1/3, codes ±√2 and 0, error 1/4")
  func fourPoints() throws {
    // Centred: (1, 1), (-1, -1), (0.5, -0.5), (-0.5, 0.5); covariance / 3 = [[2.5, 1.5],
    // [1.5, 2.5]] / 3, eigenvalues 4/3 along (1, 1)/√2 and 1/3 along (1, -1)/√2.
    let data: [Float] = [2, 2, 0, 0, 1.5, 0.5, 0.5, 1.5]
    let model = try PCA.fit(data: data, count: 4, dimension: 2, components: 1)
    #expect(model.mean == [1, 1])
    #expect(
      abs(model.eigenvalues[0] - 4.0 / 3) < 1e-6 && abs(model.eigenvalues[1] - 1.0 / 3) < 1e-6)
    let r = Float(0.5.squareRoot())
    #expect(abs(model.basis[0] - r) < 1e-6 && abs(model.basis[1] - r) < 1e-6)
    let codes = model.encode(data, count: 4)
    let s = Float(2.0.squareRoot())
    for (code, expected) in zip(codes, [s, -s, 0, 0]) { #expect(abs(code - expected) < 1e-5) }
    let rebuilt = model.reconstruct(data, count: 4)
    for (value, expected) in zip(rebuilt, [Float(2), 2, 0, 0, 1, 1, 1, 1]) {
      #expect(abs(value - expected) < 1e-5)
    }
    // Dropped eigenvalue 1/3 × (n − 1)/n = 1/4.
    #expect(abs(model.reconstructionError(data: data, count: 4) - 0.25) < 1e-6)
    let full = try PCA.fit(data: data, count: 4, dimension: 2, components: 2)
    #expect(full.reconstructionError(data: data, count: 4) < 1e-10)
    #expect(full.keeping(components: 1) == model)
    #expect(full.keeping(components: 3) == nil && full.keeping(components: 0) == nil)
  }

  @Test("points on a line in 3-D: the first component is the line, the rest has no variance")
  func line() throws {
    let direction: [Float] = [1.0 / 3, 2.0 / 3, -2.0 / 3]
    let centre: [Float] = [5, -1, 2]
    let ts: [Float] = [-3, -1.5, 0.25, 1, 2, 4.5, 7]
    let data = ts.flatMap { t in (0..<3).map { centre[$0] + t * direction[$0] } }
    let model = try PCA.fit(data: data, count: ts.count, dimension: 3, components: 1)
    let dot = zip(model.basis, direction).map { $0 * $1 }.reduce(0, +)
    #expect(abs(abs(dot) - 1) < 1e-5)
    #expect(model.eigenvalues[0] > 1 && abs(model.eigenvalues[1]) < 1e-5)
    #expect(model.reconstructionError(data: data, count: ts.count) < 1e-9)
    // The code is the signed distance along the line from the mean.
    let codes = model.encode(data, count: ts.count)
    let meanT = ts.reduce(0, +) / Float(ts.count)
    for (code, t) in zip(codes, ts) { #expect(abs(abs(code) - abs(t - meanT)) < 1e-4) }
  }

  @Test("random symmetric 40×40: A·v = λ·v, orthonormal vectors, trace = Σλ, sorted")
  func randomSymmetric() throws {
    var random = Random(seed: 3)
    let n = 40
    var a = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0...i {
        let value = random.normal()
        a[i * n + j] = value
        a[j * n + i] = value
      }
    }
    let eigen = try #require(SymmetricEigen.decompose(a, size: n))
    for r in 0..<n {
      let v = Array(eigen.vectors[(r * n)..<((r + 1) * n)])
      for i in 0..<n {
        var av = 0.0
        for j in 0..<n { av += a[i * n + j] * v[j] }
        #expect(abs(av - eigen.values[r] * v[i]) < 1e-10)
      }
      for s in 0..<n {
        let w = eigen.vectors[(s * n)..<((s + 1) * n)]
        let dot = zip(v, w).map { $0 * $1 }.reduce(0, +)
        #expect(abs(dot - (r == s ? 1 : 0)) < 1e-12)
      }
    }
    let trace = (0..<n).map { a[$0 * n + $0] }.reduce(0, +)
    #expect(abs(trace - eigen.values.reduce(0, +)) < 1e-10)
    #expect(zip(eigen.values, eigen.values.dropFirst()).allSatisfy { $0 >= $1 })
    // Repeated eigenvalues (identity and a zero matrix) decompose too.
    #expect(SymmetricEigen.decompose([1, 0, 0, 0, 1, 0, 0, 0, 1], size: 3)?.values == [1, 1, 1])
    #expect(
      SymmetricEigen.decompose([Double](repeating: 0, count: 16), size: 4)?.values == [0, 0, 0, 0])
    #expect(SymmetricEigen.decompose([.nan], size: 1) == nil)
  }

  @Test("training error = Σ dropped eigenvalues × (n − 1)/n, for every k")
  func droppedEigenvalues() throws {
    var random = Random(seed: 11)
    let n = 60
    let d = 7
    // Correlated data: x = z·M with z standard normal.
    let mixing = (0..<(d * d)).map { _ in Float(random.normal()) }
    let z = (0..<(n * d)).map { _ in Float(random.normal()) }
    var data = [Float](repeating: 0, count: n * d)
    for i in 0..<n {
      for j in 0..<d {
        for p in 0..<d { data[i * d + j] += z[i * d + p] * mixing[p * d + j] }
      }
    }
    for k in 1...d {
      let model = try PCA.fit(data: data, count: n, dimension: d, components: k)
      let dropped = model.eigenvalues[k...].reduce(0, +) * Double(n - 1) / Double(n)
      let error = model.reconstructionError(data: data, count: n)
      #expect(abs(error - dropped) <= 1e-4 * max(1, dropped), "k = \(k)")
    }
  }

  @Test("bad input is refused, not trapped on")
  func badInput() {
    #expect(throws: PCAError.sizeMismatch(values: 5, count: 2, dimension: 3)) {
      try PCA.fit(data: [1, 2, 3, 4, 5], count: 2, dimension: 3, components: 1)
    }
    #expect(throws: PCAError.badComponentCount(components: 4, dimension: 3)) {
      try PCA.fit(data: [1, 2, 3], count: 1, dimension: 3, components: 4)
    }
    #expect(throws: PCAError.notFinite) {
      try PCA.fit(data: [1, .nan, 3, 4], count: 2, dimension: 2, components: 1)
    }
  }

  /// Slow in a debug build (a 784×784 covariance from 4000 images with the reference Gemm):
  /// run with `NETLANG_SLOW=1 swift test -c release --filter PCATests`.
  @Test(
    "mnist5k: PCA-30 and PCA-2 test errors match reference.json within 1%",
    .enabled(if: TestFiles.haveData && ProcessInfo.processInfo.environment["NETLANG_SLOW"] != nil))
  func mnist() throws {
    func load(_ split: String) throws -> Dataset {
      try DataReader.load(
        .idx(
          images: TestFiles.data("mnist5k-\(split)-images.idx3-ubyte"), labels: nil,
          scale: 1.0 / 255))
    }
    let train = try load("train")
    let test = try load("test")
    let trainImages = try #require(train.values(named: "image"))
    let testImages = try #require(test.values(named: "image"))
    let model = try PCA.fit(data: trainImages, count: train.count, dimension: 784, components: 30)
    let error30 = model.reconstructionError(data: testImages, count: test.count)
    #expect(abs(error30 - 14.14462233333973) / 14.14462233333973 < 0.01, "PCA-30: \(error30)")
    let two = try #require(model.keeping(components: 2))
    let error2 = two.reconstructionError(data: testImages, count: test.count)
    #expect(abs(error2 - 43.625684135281475) / 43.625684135281475 < 0.01, "PCA-2: \(error2)")
  }

  @Test(
    "784×784 eigen decomposition (timing check, release)",
    .enabled(if: ProcessInfo.processInfo.environment["NETLANG_SLOW"] != nil))
  func eigen784() throws {
    var random = Random(seed: 5)
    let n = 784
    var a = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0...i {
        let value = random.normal()
        a[i * n + j] = value
        a[j * n + i] = value
      }
    }
    let eigen = try #require(SymmetricEigen.decompose(a, size: n))
    let v = eigen.vectors[0..<n]
    var residual = 0.0
    for i in 0..<n {
      var av = 0.0
      for j in 0..<n { av += a[i * n + j] * v[j] }
      residual = max(residual, abs(av - eigen.values[0] * v[i]))
    }
    #expect(residual < 1e-9)
  }
}
