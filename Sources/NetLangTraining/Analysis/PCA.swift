// PCA: principal component analysis by eigen decomposition of the sample covariance, the
// linear baseline of Hinton & Salakhutdinov (2006).
//
// N = examples, D = features (dimension), K = kept components. Data is N×D row-major.

import NetLangTensor

/// Why `PCA.fit` refused its input.
public enum PCAError: Error, Equatable, Sendable {
  /// `data.count` is not `count × dimension`, or a size is not positive.
  case sizeMismatch(values: Int, count: Int, dimension: Int)
  /// More components than features were asked for (or fewer than one).
  case badComponentCount(components: Int, dimension: Int)
  /// The data holds NaN or infinity, or the eigen solver did not converge.
  case notFinite
}

/// Fits PCA models.
public enum PCA {
  /// Centres `data` (`count × dimension`, row-major), forms the covariance
  /// `C = Xcᵀ·Xc / (count − 1)` (as numpy's `cov` and scikit-learn's `explained_variance_`;
  /// divided by 1 when count is 1) with `Gemm`, decomposes it and keeps the `components`
  /// eigenvectors with the largest eigenvalues.
  public static func fit(
    data: [Float], count: Int, dimension: Int, components: Int, pool: WorkerPool? = nil
  ) throws(PCAError) -> PCAModel {
    guard count > 0, dimension > 0, data.count == count * dimension else {
      throw .sizeMismatch(values: data.count, count: count, dimension: dimension)
    }
    guard components >= 1, components <= dimension else {
      throw .badComponentCount(components: components, dimension: dimension)
    }
    let n = count
    let d = dimension
    var mean = [Double](repeating: 0, count: d)
    for i in 0..<n {
      for j in 0..<d { mean[j] += Double(data[i * d + j]) }
    }
    for j in 0..<d { mean[j] /= Double(n) }
    guard mean.allSatisfy(\.isFinite) else { throw .notFinite }
    // Centred data, transposed (D×N), so the covariance is a product of contiguous rows.
    var centredT = [Float](repeating: 0, count: d * n)
    for i in 0..<n {
      for j in 0..<d { centredT[j * n + i] = Float(Double(data[i * d + j]) - mean[j]) }
    }
    var covariance = [Float](repeating: 0, count: d * d)
    let scale = 1 / Float(max(n - 1, 1))
    centredT.withUnsafeBufferPointer { x in
      covariance.withUnsafeMutableBufferPointer { c in
        guard let xp = x.baseAddress, let cp = c.baseAddress else { return }
        Gemm.multiply(
          transposeA: false, transposeB: true, m: d, n: d, k: n, alpha: scale, a: xp, lda: n,
          b: xp, ldb: n, beta: 0, c: cp, ldc: d, pool: pool)
      }
    }
    guard let eigen = SymmetricEigen.decompose(covariance.map(Double.init), size: d) else {
      throw .notFinite
    }
    var basis = [Float](repeating: 0, count: components * d)
    for r in 0..<components {
      let row = eigen.vectors[(r * d)..<((r + 1) * d)]
      // Fix the sign: the entry of largest magnitude is positive (eigenvectors are only
      // defined up to sign; this makes fits reproducible).
      var largest = row.startIndex
      for index in row.indices where abs(row[index]) > abs(row[largest]) { largest = index }
      let sign: Double = row[largest] < 0 ? -1 : 1
      for (j, value) in row.enumerated() { basis[r * d + j] = Float(sign * value) }
    }
    return PCAModel(
      dimension: d, components: components, mean: mean.map { Float($0) }, basis: basis,
      eigenvalues: eigen.values)
  }
}

/// A fitted PCA: the data mean and the leading principal directions.
public struct PCAModel: Sendable, Equatable {
  /// Features per example (D).
  public var dimension: Int
  /// Kept components (K).
  public var components: Int
  /// The training mean, D values.
  public var mean: [Float]
  /// Unit principal directions, K×D row-major, largest variance first.
  public var basis: [Float]
  /// All D covariance eigenvalues, largest first: the variance along each direction.
  public var eigenvalues: [Double]

  public init(
    dimension: Int, components: Int, mean: [Float], basis: [Float], eigenvalues: [Double]
  ) {
    self.dimension = dimension
    self.components = components
    self.mean = mean
    self.basis = basis
    self.eigenvalues = eigenvalues
  }

  /// The same fit keeping only the first `count` components (1 ≤ count ≤ components).
  ///
  /// PCA-2 and PCA-30 from one decomposition, say; nil when `count` is out of range.
  public func keeping(components count: Int) -> PCAModel? {
    guard count >= 1, count <= components else { return nil }
    return PCAModel(
      dimension: dimension, components: count, mean: mean,
      basis: Array(basis[0..<(count * dimension)]), eigenvalues: eigenvalues)
  }

  /// Codes of `count` examples: `(x − mean)·basisᵀ`, N×K.
  ///
  /// Returns [] on a size mismatch.
  public func encode(_ data: [Float], count: Int, pool: WorkerPool? = nil) -> [Float] {
    let d = dimension
    guard count > 0, data.count == count * d else { return [] }
    var centred = data
    for i in 0..<count {
      for j in 0..<d { centred[i * d + j] -= mean[j] }
    }
    var codes = [Float](repeating: 0, count: count * components)
    centred.withUnsafeBufferPointer { x in
      basis.withUnsafeBufferPointer { b in
        codes.withUnsafeMutableBufferPointer { c in
          guard let xp = x.baseAddress, let bp = b.baseAddress, let cp = c.baseAddress else {
            return
          }
          Gemm.multiply(
            transposeA: false, transposeB: true, m: count, n: components, k: d, alpha: 1, a: xp,
            lda: d, b: bp, ldb: d, beta: 0, c: cp, ldc: components, pool: pool)
        }
      }
    }
    return codes
  }

  /// Examples back from codes: `codes·basis + mean`, N×D.
  ///
  /// Returns [] on a size mismatch.
  public func decode(_ codes: [Float], count: Int, pool: WorkerPool? = nil) -> [Float] {
    let d = dimension
    guard count > 0, codes.count == count * components else { return [] }
    var out = [Float](repeating: 0, count: count * d)
    for i in 0..<count {
      for j in 0..<d { out[i * d + j] = mean[j] }
    }
    codes.withUnsafeBufferPointer { c in
      basis.withUnsafeBufferPointer { b in
        out.withUnsafeMutableBufferPointer { o in
          guard let cp = c.baseAddress, let bp = b.baseAddress, let op = o.baseAddress else {
            return
          }
          Gemm.multiply(
            transposeA: false, transposeB: false, m: count, n: d, k: components, alpha: 1,
            a: cp, lda: components, b: bp, ldb: d, beta: 1, c: op, ldc: d, pool: pool)
        }
      }
    }
    return out
  }

  /// `decode(encode(data))`: the projection onto the kept components.
  public func reconstruct(_ data: [Float], count: Int, pool: WorkerPool? = nil) -> [Float] {
    decode(encode(data, count: count, pool: pool), count: count, pool: pool)
  }

  /// The paper's measure: squared error summed over the D features, averaged over the `count`
  /// examples.
  ///
  /// NaN on a size mismatch.
  public func reconstructionError(data: [Float], count: Int, pool: WorkerPool? = nil)
    -> Double
  {
    guard count > 0, data.count == count * dimension else { return .nan }
    let rebuilt = reconstruct(data, count: count, pool: pool)
    var total = 0.0
    for (x, y) in zip(data, rebuilt) {
      let difference = Double(x) - Double(y)
      total += difference * difference
    }
    return total / Double(count)
  }
}
