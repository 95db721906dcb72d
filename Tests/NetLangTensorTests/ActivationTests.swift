// ActivationTests: forward values by hand and against Double formulas; backward against
// central differences; the fused bias-add; accumulate mode.

import NetLangTensor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The Double reference of each activation.
private func reference(_ activation: Activation, _ x: Double) -> Double {
  switch activation {
  case .identity: return x
  case .relu: return max(0, x)
  case .sigmoid: return 1 / (1 + Glibc.exp(-x))
  case .tanh: return Glibc.tanh(x)
  }
}

@Test("relu forward by hand, NaN kept")
func reluForwardByHand() {
  let x: [Float] = [-2, -0.0, 0, 0.5, 3, .nan]
  var y = [Float](repeating: 7, count: x.count)
  Activation.reluForward(x, &y, count: x.count)
  #expect(Array(y[0..<5]) == [0, 0, 0, 0.5, 3])
  #expect(y[5].isNaN)
}

@Test("backward matches central differences", arguments: Activation.allCases)
func activationBackwardMatchesDifferences(activation: Activation) {
  // Keep relu inputs away from its kink at 0.
  let x = randomFloats(37, seed: 11).map { abs($0) < 0.05 ? $0 + 0.1 : $0 * 3 }
  let weights = randomFloats(37, seed: 12)
  var y = [Float](repeating: 0, count: 37)
  activation.forward(x, &y, count: 37)
  for (value, output) in zip(x, y) {
    #expect(abs(Double(output) - reference(activation, Double(value))) < 1e-6)
  }
  var gradient = [Float](repeating: 0, count: 37)
  activation.backward(output: y, gradOutput: weights, gradInput: &gradient, count: 37)
  let expected = numericalGradient(
    of: { $0.map { reference(activation, $0) } }, at: x, weights: weights)
  #expect(maxAbsDifference(gradient, expected) < 1e-4, "\(activation)")
  // Accumulating adds the same gradient again.
  activation.backward(
    output: y, gradOutput: weights, gradInput: &gradient, count: 37, accumulate: true)
  #expect(maxAbsDifference(gradient, expected.map { 2 * $0 }) < 2e-4, "\(activation)")
}

@Test("bias add + activation equals the two steps", arguments: Activation.allCases)
func biasAddForwardMatches(activation: Activation) {
  let rows = 5
  let columns = 11
  let x = randomFloats(rows * columns, seed: 3)
  let bias = randomFloats(columns, seed: 4)
  var fused = [Float](repeating: 0, count: rows * columns)
  activation.biasAddForward(x, bias: bias, &fused, rows: rows, columns: columns)
  for r in 0..<rows {
    for c in 0..<columns {
      let expected = reference(activation, Double(x[r * columns + c]) + Double(bias[c]))
      #expect(abs(Double(fused[r * columns + c]) - expected) < 1e-6)
    }
  }
  var noBias = [Float](repeating: 0, count: rows * columns)
  activation.biasAddForward(x, bias: nil, &noBias, rows: rows, columns: columns)
  #expect(zip(x, noBias).allSatisfy { abs(Double($1) - reference(activation, Double($0))) < 1e-6 })
}
