// Activation: elementwise nonlinearities, forward and backward side by side, plus the fused
// bias-add + activation the dense layer uses. Backward passes take the forward *output*
// (relu also its input), so the executor need not keep pre-activations.
//
// R = rows (batch), C = columns (features); count = elements; x = input, y = output,
// dy = gradient of the loss with respect to y, dx = with respect to x.

/// A pointwise nonlinearity.
public enum Activation: Sendable, Hashable, CaseIterable {
  /// y = x.
  ///
  /// Backward: dx = dy.
  case identity
  /// y = max(0, x); NaN stays NaN.
  ///
  /// Backward: dx = dy where y > 0, else 0 (0 at exactly 0).
  case relu
  /// y = 1 / (1 + e^-x).
  ///
  /// Backward: dx = dy · y · (1 - y).
  case sigmoid
  /// y = tanh x.
  ///
  /// Backward: dx = dy · (1 - y²).
  case tanh

  /// y[i] = f(x[i]) for `count` elements; in place allowed.
  public func forward(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int
  ) {
    switch self {
    case .identity:
      if UnsafePointer(output) != input { output.update(from: input, count: count) }
    case .relu: Activation.reluForward(input, output, count: count)
    case .sigmoid: VectorMath.sigmoid(input, output, count: count)
    case .tanh: VectorMath.tanh(input, output, count: count)
    }
  }

  /// dx = dy · f'(x), with f' written in terms of the forward output y.
  ///
  /// With `accumulate`, dx += instead of dx =. `gradInput` may alias `gradOutput`.
  public func backward(
    output: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
    gradInput: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool = false
  ) {
    switch self {
    case .identity:
      for i in 0..<count { gradInput[i] = (accumulate ? gradInput[i] : 0) + gradOutput[i] }
    case .relu:
      Activation.reluBackward(
        output, gradOutput: gradOutput, gradInput: gradInput, count: count,
        accumulate: accumulate)
    case .sigmoid:
      for i in 0..<count {
        let y = output[i]
        let local = gradOutput[i] * (y * (1 - y))
        gradInput[i] = accumulate ? gradInput[i] + local : local
      }
    case .tanh:
      for i in 0..<count {
        let y = output[i]
        let local = gradOutput[i] * (1 - y * y)
        gradInput[i] = accumulate ? gradInput[i] + local : local
      }
    }
  }

  /// y[r, c] = f(x[r, c] + bias[c]) over an R × C row-major block (no bias if `bias` is nil).
  ///
  /// In place allowed. Backward: `backward` for dx, then `Reduction.sumOverRows` of dx for the bias
  /// gradient.
  public func biasAddForward(
    _ input: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    _ output: UnsafeMutablePointer<Float>, rows: Int, columns: Int
  ) {
    for r in 0..<rows {
      let x = input + r &* columns
      let y = output + r &* columns
      if let bias {
        for c in 0..<columns { y[c] = x[c] + bias[c] }
        forward(y, y, count: columns)
      } else {
        forward(x, y, count: columns)
      }
    }
  }

  /// y = max(0, x), keeping NaN (so a NaN check downstream still sees it).
  public static func reluForward(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int
  ) {
    for i in 0..<count {
      let x = input[i]
      output[i] = x < 0 ? 0 : x
    }
  }

  /// dx = dy where x > 0, else 0; `input` may be x or y = relu(x) (same sign test).
  public static func reluBackward(
    _ input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
    gradInput: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool = false
  ) {
    for i in 0..<count {
      let local: Float = input[i] > 0 ? gradOutput[i] : 0
      gradInput[i] = accumulate ? gradInput[i] + local : local
    }
  }
}
