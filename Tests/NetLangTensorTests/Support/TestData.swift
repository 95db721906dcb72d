// TestData: seeded random buffers and comparison helpers shared by the kernel tests.

import NetLangTensor

/// Uniform values in [-1, 1) from a seeded generator, so every failure reproduces.
func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
  var generator = Random(seed: seed)
  return (0..<count).map { _ in Float(generator.uniform(-1, 1)) }
}

/// Largest |x - y| over two equal-length arrays (NaN if either holds a NaN).
func maxAbsDifference(_ x: [Float], _ y: [Float]) -> Float {
  precondition(x.count == y.count)
  var worst: Float = 0
  for (u, v) in zip(x, y) {
    let difference = abs(u - v)
    if difference.isNaN { return .nan }
    worst = max(worst, difference)
  }
  return worst
}
