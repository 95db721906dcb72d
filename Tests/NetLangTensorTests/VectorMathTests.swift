// VectorMathTests: each vectorized function against Double-precision libm over a dense sweep,
// with the error bounds VectorMath documents, plus the special values.

import NetLangTensor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Evenly spaced floats over [low, high] (plus every tail length 0..<8 gets exercised by the
/// odd count).
private func sweep(_ low: Float, _ high: Float, count: Int = 20_001) -> [Float] {
  (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
}

/// Applies a buffer function to `inputs`.
private func apply(
  _ function: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void, _ inputs: [Float]
) -> [Float] {
  var outputs = [Float](repeating: .nan, count: inputs.count)
  function(inputs, &outputs, inputs.count)
  return outputs
}

/// Every implementation this CPU runs (AVX-512, AVX2, portable).
private let implementations = VectorMath.Implementation.available.map(\.rawValue)

/// The implementation named `name` (the portable one if unknown).
private func implementation(_ name: String) -> VectorMath.Implementation {
  VectorMath.Implementation(rawValue: name) ?? .portable
}

/// Largest absolute and relative error of `outputs` against the Double `exact` function.
private func errors(_ inputs: [Float], _ outputs: [Float], _ exact: (Double) -> Double)
  -> (absolute: Double, relative: Double)
{
  var absolute = 0.0
  var relative = 0.0
  for (x, y) in zip(inputs, outputs) {
    let truth = exact(Double(x))
    let difference = abs(Double(y) - truth)
    if difference.isNaN { return (.nan, .nan) }
    absolute = max(absolute, difference)
    if truth != 0 { relative = max(relative, difference / abs(truth)) }
  }
  return (absolute, relative)
}

@Test("exp: relative error ≤ 2e-7 over [-87.3, 88.7]", arguments: implementations)
func vectorExpAccuracy(name: String) {
  let path = implementation(name)
  let inputs = sweep(-87.3, 88.7) + sweep(-1, 1)
  let outputs = apply({ VectorMath.exp($0, $1, count: $2, using: path) }, inputs)
  let (_, relative) = errors(inputs, outputs, { Glibc.exp($0) })
  #expect(relative <= 2e-7, "relative error \(relative)")
}

@Test(
  "log: absolute error ≤ 2e-7 near 1, relative ≤ 2e-7 elsewhere, subnormals included",
  arguments: implementations)
func vectorLogAccuracy(name: String) {
  let path = implementation(name)
  let near = sweep(0.5, 2)
  let nearOut = apply({ VectorMath.log($0, $1, count: $2, using: path) }, near)
  #expect(errors(near, nearOut, { Glibc.log($0) }).absolute <= 2e-7)
  let far =
    sweep(2, 1e6) + sweep(1e-30, 0.5) + [
      Float(bitPattern: 0x0001_0000), Float(bitPattern: 0x0000_0900), Float.leastNonzeroMagnitude,
      3e38,
    ]
  let farOut = apply({ VectorMath.log($0, $1, count: $2, using: path) }, far)
  let relative = errors(far, farOut, { Glibc.log($0) }).relative
  #expect(relative <= 2e-7, "relative error \(relative)")
}

@Test("tanh: absolute error ≤ 2e-7, relative ≤ 3e-7, over [-12, 12]", arguments: implementations)
func vectorTanhAccuracy(name: String) {
  let path = implementation(name)
  let inputs = sweep(-12, 12) + sweep(-0.7, 0.7) + [1e-20, -1e-30, 0]
  let outputs = apply({ VectorMath.tanh($0, $1, count: $2, using: path) }, inputs)
  let (absolute, relative) = errors(inputs, outputs, { Glibc.tanh($0) })
  #expect(absolute <= 2e-7, "absolute error \(absolute)")
  #expect(relative <= 3e-7, "relative error \(relative)")
}

@Test("sigmoid: absolute error ≤ 1e-7, relative ≤ 3e-7, over [-80, 40]", arguments: implementations)
func vectorSigmoidAccuracy(name: String) {
  let path = implementation(name)
  let inputs = sweep(-80, 40) + sweep(-2, 2)
  let outputs = apply({ VectorMath.sigmoid($0, $1, count: $2, using: path) }, inputs)
  let (absolute, relative) = errors(inputs, outputs, { 1 / (1 + Glibc.exp(-$0)) })
  #expect(absolute <= 1e-7, "absolute error \(absolute)")
  #expect(relative <= 3e-7, "relative error \(relative)")
}

@Test(
  "special values: NaN propagates, overflow to inf, log of 0 and negatives",
  arguments: implementations)
func vectorMathSpecialValues(name: String) {
  let path = implementation(name)
  let inputs: [Float] = [.nan, .infinity, -.infinity, 100, -100, 0, -1, 88.7, -88]
  let expOut = apply({ VectorMath.exp($0, $1, count: $2, using: path) }, inputs)
  #expect(expOut[0].isNaN)
  #expect(expOut[1] == .infinity && expOut[2] == 0 && expOut[3] == .infinity && expOut[4] == 0)
  #expect(expOut[5] == 1 && expOut[7].isFinite && expOut[7] > 3e38)
  let logOut = apply({ VectorMath.log($0, $1, count: $2, using: path) }, inputs)
  #expect(logOut[0].isNaN && logOut[1] == .infinity && logOut[2].isNaN)
  #expect(logOut[5] == -.infinity && logOut[6].isNaN)
  let tanhOut = apply({ VectorMath.tanh($0, $1, count: $2, using: path) }, inputs)
  #expect(tanhOut[0].isNaN && tanhOut[1] == 1 && tanhOut[2] == -1 && tanhOut[5] == 0)
  let sigmoidOut = apply({ VectorMath.sigmoid($0, $1, count: $2, using: path) }, inputs)
  #expect(sigmoidOut[0].isNaN && sigmoidOut[1] == 1 && sigmoidOut[2] == 0)
  #expect(sigmoidOut[4] == 0 && sigmoidOut[5] == 0.5)
}

@Test("in place works and every tail length is handled", arguments: implementations)
func vectorMathTails(name: String) {
  let path = implementation(name)
  for count in 0..<40 {
    var values = (0..<count).map { Float($0) * 0.1 }
    let expected = values.map { Glibc.expf($0) }
    values.withUnsafeMutableBufferPointer {
      guard let base = $0.baseAddress else { return }
      VectorMath.exp(base, base, count: count, using: path)
    }
    #expect(maxAbsDifference(values, expected) < 1e-5 * 8, "count \(count)")
  }
}
