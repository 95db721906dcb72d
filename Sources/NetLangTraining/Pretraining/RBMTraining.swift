// RBMTraining: epochs of contrastive divergence over a data set, and greedy layer-by-layer
// pretraining of a stack (each RBM learns from the hidden probabilities of the one below), with
// the settings of Hinton & Salakhutdinov's code as defaults.

import NetLangTensor

/// How an RBM is trained; `paper(_:)` gives the 2006 settings.
public struct RBMSchedule: Sendable, Equatable {
  public var epochs: Int
  public var batchSize: Int
  public var learningRate: Float
  /// Momentum for the first `momentumSwitchEpochs` epochs, then `finalMomentum` (rbm.m:
  /// 0.5 while epoch ≤ 5, then 0.9).
  public var initialMomentum: Float
  public var finalMomentum: Float
  public var momentumSwitchEpochs: Int
  /// L2 weight cost on W (not on biases).
  public var weightDecay: Float
  /// Gibbs steps per update (CD-k).
  public var gibbsSteps: Int
  /// Reshuffle the examples every epoch (rbm.m uses fixed random batches instead).
  public var shuffle: Bool

  public init(
    epochs: Int = 50, batchSize: Int = 100, learningRate: Float = 0.1,
    initialMomentum: Float = 0.5, finalMomentum: Float = 0.9, momentumSwitchEpochs: Int = 5,
    weightDecay: Float = 0.0002, gibbsSteps: Int = 1, shuffle: Bool = true
  ) {
    self.epochs = max(0, epochs)
    self.batchSize = max(1, batchSize)
    self.learningRate = learningRate
    self.initialMomentum = initialMomentum
    self.finalMomentum = finalMomentum
    self.momentumSwitchEpochs = momentumSwitchEpochs
    self.weightDecay = weightDecay
    self.gibbsSteps = max(1, gibbsSteps)
    self.shuffle = shuffle
  }

  /// The paper's settings: 50 epochs of batches of 100, learning rate 0.1 (0.001 for the
  /// linear code layer), momentum 0.5 then 0.9, weight cost 0.0002, CD-1.
  public static func paper(_ hiddenUnits: RBM.HiddenUnits) -> RBMSchedule {
    RBMSchedule(learningRate: hiddenUnits == .gaussian ? 0.001 : 0.1)
  }

  /// The momentum of `epoch` (0-based).
  public func momentum(epoch: Int) -> Float {
    epoch < momentumSwitchEpochs ? initialMomentum : finalMomentum
  }
}

extension RBM {
  /// One epoch of CD over `data` (`count × visibleCount`, example-major) in the minibatches of
  /// `order` (shuffled first when the schedule says so).
  ///
  /// Returns the mean over examples of the squared reconstruction error CD saw (rbm.m's `err`), NaN
  /// on a size mismatch.
  public mutating func trainEpoch(
    data: [Float], count: Int, epoch: Int, schedule: RBMSchedule, order: inout EpochOrder,
    random: inout Random, pool: WorkerPool? = nil
  ) -> Double {
    let v = visibleCount
    guard count > 0, data.count == count * v, order.count == count else { return .nan }
    order.startEpoch(random: &random)
    var batch = [Float](repeating: 0, count: schedule.batchSize * v)
    var total = 0.0
    for number in 0..<order.batchCount {
      let indices = order.batch(number)
      if batch.count != indices.count * v {
        batch = [Float](repeating: 0, count: indices.count * v)
      }
      batch.withUnsafeMutableBufferPointer { out in
        data.withUnsafeBufferPointer { source in
          guard let target = out.baseAddress, let start = source.baseAddress else { return }
          for (row, example) in indices.enumerated() {
            (target + row &* v).update(from: start + example &* v, count: v)
          }
        }
      }
      let error = contrastiveDivergence(
        batch: batch, count: indices.count, k: schedule.gibbsSteps,
        learningRate: schedule.learningRate, momentum: schedule.momentum(epoch: epoch),
        weightDecay: schedule.weightDecay, random: &random, pool: pool)
      total += error * Double(indices.count)
    }
    return total / Double(count)
  }

  /// `schedule.epochs` epochs; returns the error of each (see `trainEpoch`).
  public mutating func train(
    data: [Float], count: Int, schedule: RBMSchedule, random: inout Random,
    pool: WorkerPool? = nil
  ) -> [Double] {
    var order = EpochOrder(count: count, batchSize: schedule.batchSize, shuffle: schedule.shuffle)
    return (0..<schedule.epochs).map { epoch in
      trainEpoch(
        data: data, count: count, epoch: epoch, schedule: schedule, order: &order,
        random: &random, pool: pool)
    }
  }

  /// Wᵀ, V×H row-major: the weight of the unrolled decoder layer (PyTorch layout
  /// `out × in`), whose bias is `visibleBias`.
  public var transposedWeights: [Float] {
    var out = [Float](repeating: 0, count: weights.count)
    for i in 0..<hiddenCount {
      for j in 0..<visibleCount { out[j * hiddenCount + i] = weights[i * visibleCount + j] }
    }
    return out
  }
}

/// Greedy layer-wise pretraining of a stack of RBMs, as in the paper's deep autoencoder.
public enum RBMStack {
  /// One trained layer and the reconstruction error of every epoch.
  public struct Layer: Sendable {
    public var rbm: RBM
    public var epochErrors: [Double]
  }

  /// Trains one RBM per consecutive pair of `sizes`, such as [784, 1000, 500, 250, 30].
  ///
  /// The first learns `data`, each next one the hidden probabilities of the previous (rbm.m's
  /// `batchposhidprobs`). The last layer has Gaussian hidden units when `linearCode` (the
  /// paper's code layer), the others Bernoulli. `schedule(layer, units)` gives each layer's
  /// settings. Returns [] when sizes are bad or the data does not match `sizes[0]`.
  public static func pretrain(
    data: [Float], count: Int, sizes: [Int], linearCode: Bool = true,
    schedule: (Int, RBM.HiddenUnits) -> RBMSchedule = { RBMSchedule.paper($1) },
    random: inout Random, pool: WorkerPool? = nil
  ) -> [Layer] {
    guard sizes.count >= 2, sizes.allSatisfy({ $0 > 0 }), count > 0,
      data.count == count * sizes[0]
    else { return [] }
    var layers: [Layer] = []
    var input = data
    for layer in 0..<(sizes.count - 1) {
      let last = layer == sizes.count - 2
      let units: RBM.HiddenUnits = last && linearCode ? .gaussian : .bernoulli
      var rbm = RBM(
        visibleCount: sizes[layer], hiddenCount: sizes[layer + 1], hiddenUnits: units,
        random: &random)
      let errors = rbm.train(
        data: input, count: count, schedule: schedule(layer, units), random: &random, pool: pool)
      if !last { input = rbm.hiddenProbabilities(visible: input, count: count, pool: pool) }
      layers.append(Layer(rbm: rbm, epochErrors: errors))
    }
    return layers
  }
}
