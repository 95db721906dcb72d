// VectorMath: exp, log, tanh and sigmoid over Float buffers, a vector at a time with
// Cephes-style polynomials (no libm call per element). Error bounds are in each doc comment
// and checked over dense sweeps in VectorMathTests.
//
// count = number of elements; input and output may be the same buffer (in place).

/// Elementwise transcendental functions on contiguous Float buffers.
public enum VectorMath {
  /// The vector the buffer loops use: four lanes are one native register on SSE and NEON
  /// (eight-lane vectors on plain SSE are split by LLVM, and partly scalarised).
  typealias Lanes = SIMD4<Float>

  /// output[i] = e^input[i].
  ///
  /// Relative error ≤ 2e-7 (measured 8e-8) where the result is a normal float; +inf above 88.72284,
  /// 0 below -87.33654 (where libm returns subnormals < 1.2e-38); NaN stays NaN.
  public static func exp(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int
  ) {
    map(input, output, count) { exp($0) }
  }

  /// output[i] = ln(input[i]).
  ///
  /// Absolute error ≤ 2e-7 for inputs in [0.5, 2], relative error ≤ 2e-7 (measured 8e-8) elsewhere;
  /// subnormals handled; ln(0) = -inf, ln(x < 0) = NaN, ln(inf) = inf.
  public static func log(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int
  ) {
    map(input, output, count) { log($0) }
  }

  /// output[i] = tanh(input[i]).
  ///
  /// Absolute error ≤ 2e-7, relative error ≤ 3e-7 (measured 8e-8 and 1.4e-7); odd, and exactly ±1
  /// beyond |x| ≈ 9.
  public static func tanh(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int
  ) {
    map(input, output, count) { tanh($0) }
  }

  /// output[i] = 1 / (1 + e^-input[i]).
  ///
  /// Absolute error ≤ 1e-7, relative error ≤ 3e-7 (0 below x ≈ -88.7 and exactly 1 above x ≈ 17).
  public static func sigmoid(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int
  ) {
    map(input, output, count) { sigmoid($0) }
  }

  // MARK: - Lane functions (also used by the fused kernels)

  /// e^x lane by lane: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a polynomial, 2^n
  /// built in the exponent bits (as two factors, so n = 128 and n = -126 stay exact).
  @inline(__always)
  static func exp<V: SIMD>(_ x: V) -> V where V.Scalar == Float {
    let upper: Float = 88.722_84
    let lower: Float = -87.336_54
    var v = x.replacing(with: upper, where: x .> upper)
    v.replace(with: lower, where: v .< lower)
    // n = round(x / ln2) via the 1.5·2^23 trick: n sits in the low mantissa bits of `shifted`.
    let magic: Float = 12_582_912
    let shifted = v * 1.442_695_04 + magic
    let n = shifted - magic
    var r = v - n * 0.693_359_375
    r = r - n * -2.121_944_4e-4
    var p = V(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    p = p * (r * r) + r + 1
    let nBits = unsafeBitCast(shifted, to: V.MaskStorage.self) &- 0x4B40_0000
    let half = nBits &>> 1
    let first = unsafeBitCast((half &+ 127) &<< 23, to: V.self)
    let second = unsafeBitCast((nBits &- half &+ 127) &<< 23, to: V.self)
    var result = p * first * second
    result.replace(with: .infinity, where: x .> upper)
    result.replace(with: 0, where: x .< lower)
    return result
  }

  /// ln x lane by lane: x = m·2^e with m in [√½, √2), ln m by a degree-9 polynomial in m - 1.
  @inline(__always)
  static func log<V: SIMD>(_ x: V) -> V where V.Scalar == Float {
    // Scale subnormals into the normal range first.
    let tiny = x .< Float.leastNormalMagnitude
    let scaled = x.replacing(with: x * 8_388_608, where: tiny)
    let bits = unsafeBitCast(scaled, to: V.MaskStorage.self)
    var exponent = (bits &>> 23) &- 126
    exponent &-= integerMask(tiny, of: V.self) & 23
    // Mantissa in [0.5, 1).
    var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F00_0000, to: V.self)
    let low = m .< 0.707_106_781_186_547_524
    exponent &-= integerMask(low, of: V.self) & 1
    m = m.replacing(with: m + m, where: low) - 1
    // Float(exponent) without per-lane conversion: integer into the mantissa of 1.5·2^23.
    let e = unsafeBitCast(exponent &+ 0x4B40_0000, to: V.self) - 12_582_912
    let z = m * m
    var p = V(repeating: 7.037_683_629_2e-2)
    p = p * m - 1.151_461_031_0e-1
    p = p * m + 1.167_699_874_0e-1
    p = p * m - 1.242_014_084_6e-1
    p = p * m + 1.424_932_278_7e-1
    p = p * m - 1.666_805_766_5e-1
    p = p * m + 2.000_071_476_5e-1
    p = p * m - 2.499_999_399_3e-1
    p = p * m + 3.333_333_117_4e-1
    var y = p * m * z
    y = y + e * -2.121_944_40e-4
    y = y - z * 0.5
    var result = m + y + e * 0.693_359_375
    result.replace(with: -.infinity, where: x .== 0)
    result.replace(with: .nan, where: x .< 0)
    result.replace(with: .infinity, where: x .== .infinity)
    result.replace(with: x, where: x .!= x)
    return result
  }

  /// tanh x lane by lane: an odd polynomial below |x| = 0.625, 1 - 2/(e^2|x| + 1) above.
  @inline(__always)
  static func tanh<V: SIMD>(_ x: V) -> V where V.Scalar == Float {
    let magnitude = x.replacing(with: -x, where: x .< 0)
    let z = x * x
    var p = V(repeating: -5.704_988_727_45e-3)
    p = p * z + 2.063_908_879_54e-2
    p = p * z - 5.373_971_555_31e-2
    p = p * z + 1.333_144_220_36e-1
    p = p * z - 3.333_328_194_22e-1
    let small = p * z * x + x
    let e = exp(magnitude + magnitude)
    var large = 1 - 2 / (e + 1)
    large.replace(with: -large, where: x .< 0)
    var result = small.replacing(with: large, where: magnitude .>= 0.625)
    result.replace(with: x, where: x .!= x)
    return result
  }

  /// A mask as integers: -1 (all bits set) where true, 0 elsewhere.
  @inline(__always)
  static func integerMask<V: SIMD>(_ mask: SIMDMask<V.MaskStorage>, of _: V.Type) -> V.MaskStorage
  where V.Scalar == Float {
    let ones = V(repeating: Float(bitPattern: UInt32.max))
    return unsafeBitCast(V(repeating: 0).replacing(with: ones, where: mask), to: V.MaskStorage.self)
  }

  /// 1 / (1 + e^-x) lane by lane.
  @inline(__always)
  static func sigmoid<V: SIMD>(_ x: V) -> V where V.Scalar == Float {
    1 / (1 + exp(-x))
  }

  /// Applies `body` to `count` elements, a vector at a time; the tail goes through a padded
  /// vector.
  @inline(__always)
  static func map(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ count: Int,
    _ body: (Lanes) -> Lanes
  ) {
    var index = 0
    while index &+ Lanes.scalarCount <= count {
      let value = UnsafeRawPointer(input + index).loadUnaligned(as: Lanes.self)
      UnsafeMutableRawPointer(output + index).storeBytes(of: body(value), as: Lanes.self)
      index &+= Lanes.scalarCount
    }
    let rest = count &- index
    if rest > 0 {
      var value = Lanes()
      for lane in 0..<rest { value[lane] = input[index &+ lane] }
      let result = body(value)
      for lane in 0..<rest { output[index &+ lane] = result[lane] }
    }
  }
}
