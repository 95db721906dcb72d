// Structural kernels: concat and its inverse slice, the last time step, dropout.
// Outer = product of the dimensions before the axis (batch included), inner = after it.
// B = batch, T = time steps, N = features per step.

import NetLangTensor

enum Structure {
  /// Copies `x` (`[outer, length, inner]`) into `y` (`[outer, total, inner]`) at `start`.
  static func place(
    _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, outer: Int, inner: Int,
    start: Int, length: Int, total: Int
  ) {
    for o in 0..<outer {
      (y + (o * total + start) * inner).update(from: x + o * length * inner, count: length * inner)
    }
  }

  /// Copies the slice `start..<start+length` of `x` (`[outer, total, inner]`) into `y`.
  static func slice(
    _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, outer: Int, inner: Int,
    start: Int, length: Int, total: Int
  ) {
    for o in 0..<outer {
      (y + o * length * inner).update(from: x + (o * total + start) * inner, count: length * inner)
    }
  }

  /// y[B, N] = x[B, T−1, N].
  static func lastStepForward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, steps: Int,
    features: Int
  ) {
    slice(x, into: y, outer: batch, inner: features, start: steps - 1, length: 1, total: steps)
  }
  /// dx[B, T, N]: g at step T−1, zeros elsewhere.
  static func lastStepBackward(
    _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, batch: Int, steps: Int,
    features: Int
  ) {
    dx.update(repeating: 0, count: batch * steps * features)
    place(g, into: dx, outer: batch, inner: features, start: steps - 1, length: 1, total: steps)
  }

  /// Training dropout: mask = 0 with probability `rate`, else 1/(1 − rate); y = x·mask.
  static func dropoutForward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    mask: UnsafeMutablePointer<Float>, count: Int, rate: Float, random: inout Random
  ) {
    let keep = rate < 1 ? 1 / (1 - rate) : 0
    for i in 0..<count {
      mask[i] = random.nextFloat() < rate ? 0 : keep
      y[i] = x[i] * mask[i]
    }
  }
  /// dx = g·mask.
  static func dropoutBackward(
    _ g: UnsafePointer<Float>, mask: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    count: Int
  ) {
    for i in 0..<count { dx[i] = g[i] * mask[i] }
  }
}
