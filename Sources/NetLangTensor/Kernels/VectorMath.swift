// VectorMath: exp, log, tanh and sigmoid over Float buffers on the widest vectors the CPU
// offers, with Cephes-style polynomials (one generated copy per vector width, no libm call per
// element). Error bounds are in each doc comment and checked over dense sweeps in the tests.
//
// count = number of elements; input and output may be the same buffer (in place).

import NetLangKernelsAVX2
import NetLangKernelsAVX512

/// Elementwise transcendental functions on contiguous Float buffers.
///
/// NOTE: the AVX paths fuse multiply-adds, so their last bits can differ from the portable
/// path's; each path is deterministic on its own.
public enum VectorMath {
  /// Which generated copy of the lane code runs.
  package enum Implementation: String, Sendable, CaseIterable {
    /// SIMD4 (one SSE/NEON register), multiply then add.
    case portable
    /// SIMD8 with FMA.
    case avx2
    /// SIMD16 with FMA.
    case avx512

    /// The widest implementation this CPU runs.
    package static let best: Implementation = available[0]

    /// Every implementation this CPU runs, widest first.
    package static var available: [Implementation] {
      let features = CPUFeatures.current
      return (features.avx512 ? [.avx512] : []) + (features.avx2FMA ? [.avx2] : []) + [.portable]
    }
  }

  /// output[i] = e^input[i].
  ///
  /// Relative error ≤ 2e-7 (measured 8e-8) where the result is a normal float; +inf above 88.72284,
  /// 0 below -87.33654 (where libm returns subnormals < 1.2e-38); NaN stays NaN.
  public static func exp(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int
  ) {
    exp(input, output, count: count, using: .best)
  }

  /// output[i] = ln(input[i]).
  ///
  /// Absolute error ≤ 2e-7 for inputs in [0.5, 2], relative error ≤ 2e-7 (measured 8e-8) elsewhere;
  /// subnormals handled; ln(0) = -inf, ln(x < 0) = NaN, ln(inf) = inf.
  public static func log(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int
  ) {
    log(input, output, count: count, using: .best)
  }

  /// output[i] = tanh(input[i]).
  ///
  /// Absolute error ≤ 2e-7, relative error ≤ 3e-7 (measured 8e-8 and 1.4e-7); odd, and exactly ±1
  /// beyond |x| ≈ 9.
  public static func tanh(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int
  ) {
    tanh(input, output, count: count, using: .best)
  }

  /// output[i] = 1 / (1 + e^-input[i]).
  ///
  /// Absolute error ≤ 1e-7, relative error ≤ 3e-7 (0 below x ≈ -88.7 and exactly 1 above x ≈ 17).
  public static func sigmoid(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int
  ) {
    sigmoid(input, output, count: count, using: .best)
  }

  /// The same functions on a chosen implementation (tests compare every one with libm).
  package static func exp(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int,
    using implementation: Implementation
  ) {
    switch implementation {
    case .avx512: VectorMathAVX512.exp(input, output, count: count)
    case .avx2: VectorMathAVX2.exp(input, output, count: count)
    case .portable: VectorMathPortable.exp(input, output, count: count)
    }
  }

  package static func log(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int,
    using implementation: Implementation
  ) {
    switch implementation {
    case .avx512: VectorMathAVX512.log(input, output, count: count)
    case .avx2: VectorMathAVX2.log(input, output, count: count)
    case .portable: VectorMathPortable.log(input, output, count: count)
    }
  }

  package static func tanh(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int,
    using implementation: Implementation
  ) {
    switch implementation {
    case .avx512: VectorMathAVX512.tanh(input, output, count: count)
    case .avx2: VectorMathAVX2.tanh(input, output, count: count)
    case .portable: VectorMathPortable.tanh(input, output, count: count)
    }
  }

  package static func sigmoid(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int,
    using implementation: Implementation
  ) {
    switch implementation {
    case .avx512: VectorMathAVX512.sigmoid(input, output, count: count)
    case .avx2: VectorMathAVX2.sigmoid(input, output, count: count)
    case .portable: VectorMathPortable.sigmoid(input, output, count: count)
    }
  }
}
