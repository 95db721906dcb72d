// RBMUnrolling: turns a pretrained stack of RBMs into the layers of a deep autoencoder, as in
// the paper's Fig. 1: encoder layers use W and the hidden biases, decoder layers Wᵀ and the
// visible biases, in reverse order.

/// The nonlinearity after an unrolled layer.
public enum UnrolledActivation: Sendable, Equatable {
  case logistic
  /// No nonlinearity: the code layer of Gaussian hidden units.
  case linear
}

/// One dense layer of the unrolled autoencoder: output = activation(weight·input + bias).
public struct UnrolledLayer: Sendable, Equatable {
  public var inputCount: Int
  public var outputCount: Int
  /// outputCount × inputCount row-major (PyTorch `nn.Linear.weight` layout).
  public var weight: [Float]
  public var bias: [Float]
  public var activation: UnrolledActivation
}

extension RBMStack {
  /// The layers of the deep autoencoder the stack `rbms` unrolls into, input to output.
  ///
  /// First the encoder, RBM 1 to n: each `W`, its hidden bias, logistic (linear for Gaussian
  /// hidden units). Then the decoder, RBM n back to 1: each `Wᵀ`, its visible bias, logistic.
  public static func unroll(_ rbms: [RBM]) -> [UnrolledLayer] {
    let encoder = rbms.map { rbm in
      UnrolledLayer(
        inputCount: rbm.visibleCount, outputCount: rbm.hiddenCount, weight: rbm.weights,
        bias: rbm.hiddenBias, activation: rbm.hiddenUnits == .gaussian ? .linear : .logistic)
    }
    let decoder = rbms.reversed().map { rbm in
      UnrolledLayer(
        inputCount: rbm.hiddenCount, outputCount: rbm.visibleCount,
        weight: rbm.transposedWeights, bias: rbm.visibleBias, activation: .logistic)
    }
    return encoder + decoder
  }
}
