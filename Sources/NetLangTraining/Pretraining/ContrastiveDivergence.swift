// ContrastiveDivergence: one CD-k update of an RBM on a minibatch, following Hinton's rbm.m
// and rbmhidlinear.m (2006): statistics from probabilities, hidden states sampled, visible
// reconstructions kept as probabilities, momentum on the updates, weight decay on W only.
//
// B = batch size, V = visible units, H = hidden units; W is H×V row-major.

import NetLangTensor

/// Work buffers for one batch size, allocated once and reused by every update.
struct RBMScratch: Sendable {
  var batchSize = 0
  /// B×H: positive-phase hidden probabilities (or means).
  var positiveHidden: [Float] = []
  /// B×H: sampled hidden states driving the Gibbs chain.
  var hiddenStates: [Float] = []
  /// B×V: the chain's visible probabilities (the reconstruction).
  var negativeVisible: [Float] = []
  /// B×H: negative-phase hidden probabilities (or means).
  var negativeHidden: [Float] = []
  /// H×V: positive minus negative products.
  var weightGradient: [Float] = []
  /// Column sums of the data, of v⁻, of h⁺ and of h⁻ (the positive ones become the
  /// positive-minus-negative differences).
  var visibleSums: [Float] = []
  var negativeVisibleSums: [Float] = []
  var hiddenSums: [Float] = []
  var negativeHiddenSums: [Float] = []
  /// The weights' step fused into the negative statistics' product (one thread).
  var momentumBlocks: MomentumBlocks?

  mutating func prepare(batchSize b: Int, visible v: Int, hidden h: Int) {
    guard b != batchSize || weightGradient.count != h * v else { return }
    batchSize = b
    positiveHidden = [Float](repeating: 0, count: b * h)
    hiddenStates = positiveHidden
    negativeHidden = positiveHidden
    negativeVisible = [Float](repeating: 0, count: b * v)
    weightGradient = [Float](repeating: 0, count: h * v)
    visibleSums = [Float](repeating: 0, count: v)
    negativeVisibleSums = visibleSums
    hiddenSums = [Float](repeating: 0, count: h)
    negativeHiddenSums = hiddenSums
    momentumBlocks = MomentumBlocks()
  }
}

extension RBM {
  /// One contrastive-divergence (CD-k) step on `batch` (`count × visibleCount` values in [0, 1],
  /// example-major).
  ///
  /// Returns the squared error of the first reconstruction, summed over visible units and averaged
  /// over the batch (rbm.m's `err` / numcases), or NaN without changing anything when the sizes
  /// disagree or k < 1.
  ///
  /// 1. positive phase: h⁺ = p(h | data) (probabilities, or means for Gaussian units);
  /// 2. sample hidden states from h⁺ (Bernoulli: on when h⁺ > uniform; Gaussian: h⁺ + normal);
  /// 3. k Gibbs steps: v⁻ = logistic(states·W + b) (kept as probabilities),
  ///    h⁻ = p(h | v⁻), states resampled from h⁻ between steps;
  /// 4. Δ = momentum·Δ + lr·((h⁺ᵀ·data − h⁻ᵀ·v⁻)/B − weightDecay·W), W += Δ;
  ///    the biases likewise with (Σ data − Σ v⁻)/B and (Σ h⁺ − Σ h⁻)/B and no decay.
  ///
  /// Noise is drawn in row-major order (example by example, unit by unit) per sampling.
  @discardableResult
  public mutating func contrastiveDivergence<Noise: RBMNoise>(
    batch: [Float], count: Int, k: Int = 1, learningRate: Float, momentum: Float,
    weightDecay: Float, random: inout Noise, pool: WorkerPool? = nil
  ) -> Double {
    let v = visibleCount
    let h = hiddenCount
    guard count > 0, k >= 1, batch.count == count * v else { return .nan }
    // Move the buffers out so each is uniquely referenced while we write into it.
    var s = scratch
    scratch = RBMScratch()
    defer { scratch = s }
    s.prepare(batchSize: count, visible: v, hidden: h)
    let gaussian = hiddenUnits == .gaussian

    // Positive phase.
    RBMMath.hiddenActivation(
      batch, count: count, weights: weights, bias: hiddenBias, visibleCount: v, hiddenCount: h,
      logistic: !gaussian, into: &s.positiveHidden, pool: pool)
    // The positive statistics, and the hidden states with the first reconstruction: they share
    // only reads of h⁺, so on two threads each side runs whole on its own thread.
    let paired = pool?.threads == 2
    if let pool, paired {
      positivePhaseInPairs(batch, count: count, scratch: &s, random: &random, pool: pool)
    } else {
      RBMMath.multiply(
        transposeA: true, m: h, n: v, k: count, s.positiveHidden, batch,
        into: &s.weightGradient, pool: pool)
      sample(s.positiveHidden, into: &s.hiddenStates, random: &random)
    }

    // Gibbs chain.
    var error = 0.0
    for step in 1...k {
      if step > 1 || !paired {
        RBMMath.visibleProbabilities(
          s.hiddenStates, count: count, weights: weights, bias: visibleBias, visibleCount: v,
          hiddenCount: h, into: &s.negativeVisible, pool: pool)
      }
      if step == 1 { error = RBMMath.squaredError(batch, s.negativeVisible) / Double(count) }
      RBMMath.hiddenActivation(
        s.negativeVisible, count: count, weights: weights, bias: hiddenBias, visibleCount: v,
        hiddenCount: h, logistic: !gaussian, into: &s.negativeHidden, pool: pool)
      if step < k { sample(s.negativeHidden, into: &s.hiddenStates, random: &random) }
    }

    // Negative statistics and the momentum updates: on one thread the weights' step is
    // applied to each block of the gradient as the product finishes it (as FusedUpdates does
    // for dense layers), the same arithmetic per element.
    let scale = 1 / Float(count)
    if (pool?.threads ?? 1) == 1, let blocks = s.momentumBlocks {
      (blocks.width, blocks.scale, blocks.learningRate) = (v, scale, learningRate)
      (blocks.momentum, blocks.weightDecay) = (momentum, weightDecay)
      weights.withUnsafeMutableBufferPointer { w in
        weightVelocity.withUnsafeMutableBufferPointer { d in
          guard w.count == h * v, d.count == h * v else { return }
          (blocks.parameters, blocks.velocity) = (w.baseAddress, d.baseAddress)
          defer { (blocks.parameters, blocks.velocity) = (nil, nil) }
          RBMMath.multiply(
            transposeA: true, m: h, n: v, k: count, alpha: -1, s.negativeHidden,
            s.negativeVisible, beta: 1, consumer: blocks, into: &s.weightGradient)
        }
      }
    } else {
      RBMMath.multiply(
        transposeA: true, m: h, n: v, k: count, alpha: -1, s.negativeHidden, s.negativeVisible,
        beta: 1, into: &s.weightGradient, pool: pool)
      RBMMath.momentumStep(
        parameters: &weights, velocity: &weightVelocity, gradient: s.weightGradient,
        scale: scale, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay,
        pool: pool)
    }
    RBMMath.columnSums(batch, rows: count, width: v, into: &s.visibleSums)
    RBMMath.columnSums(s.negativeVisible, rows: count, width: v, into: &s.negativeVisibleSums)
    RBMMath.subtract(s.negativeVisibleSums, from: &s.visibleSums)
    RBMMath.momentumStep(
      parameters: &visibleBias, velocity: &visibleBiasVelocity, gradient: s.visibleSums,
      scale: scale, learningRate: learningRate, momentum: momentum, weightDecay: 0)
    RBMMath.columnSums(s.positiveHidden, rows: count, width: h, into: &s.hiddenSums)
    RBMMath.columnSums(s.negativeHidden, rows: count, width: h, into: &s.negativeHiddenSums)
    RBMMath.subtract(s.negativeHiddenSums, from: &s.hiddenSums)
    RBMMath.momentumStep(
      parameters: &hiddenBias, velocity: &hiddenBiasVelocity, gradient: s.hiddenSums,
      scale: scale, learningRate: learningRate, momentum: momentum, weightDecay: 0)
    return error
  }

  /// On a two-thread `pool`: the positive statistics h⁺ᵀ·data into the weight gradient on one
  /// thread; on the other, the hidden states sampled from h⁺ and the first reconstruction
  /// logistic(states·W + b). Each product runs whole on its thread (the pool is busy), with the
  /// bits it has split.
  private func positivePhaseInPairs<Noise: RBMNoise>(
    _ batch: [Float], count: Int, scratch s: inout RBMScratch, random: inout Noise,
    pool: WorkerPool
  ) {
    let (v, h) = (visibleCount, hiddenCount)
    batch.withUnsafeBufferPointer { data in
      weights.withUnsafeBufferPointer { w in
        visibleBias.withUnsafeBufferPointer { bias in
          s.positiveHidden.withUnsafeBufferPointer { positive in
            s.weightGradient.withUnsafeMutableBufferPointer { gradient in
              s.hiddenStates.withUnsafeMutableBufferPointer { states in
                s.negativeVisible.withUnsafeMutableBufferPointer { reconstruction in
                  guard let data = data.baseAddress, let w = w.baseAddress,
                    let bias = bias.baseAddress, let positive = positive.baseAddress,
                    let gradient = gradient.baseAddress, let states = states.baseAddress,
                    let reconstruction = reconstruction.baseAddress
                  else { return }
                  pool.run(parts: 2) { part in
                    if part == 0 {
                      RBMMath.multiply(
                        transposeA: true, m: h, n: v, k: count, positive, data, rowBias: nil,
                        logistic: false, into: gradient, pool: pool)
                    } else {
                      sample(positive, into: states, count: count * h, random: &random)
                      RBMMath.multiply(
                        m: count, n: v, k: h, states, w, rowBias: bias, logistic: true,
                        into: reconstruction, pool: pool)
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// Hidden states from probabilities (Bernoulli) or means (Gaussian), in row-major order.
  private func sample<Noise: RBMNoise>(
    _ probabilities: [Float], into states: inout [Float], random: inout Noise
  ) {
    probabilities.withUnsafeBufferPointer { p in
      states.withUnsafeMutableBufferPointer { out in
        let count = min(p.count, out.count)
        guard let p = p.baseAddress, let out = out.baseAddress else { return }
        sample(p, into: out, count: count, random: &random)
      }
    }
  }

  private func sample<Noise: RBMNoise>(
    _ probabilities: UnsafePointer<Float>, into states: UnsafeMutablePointer<Float>, count: Int,
    random: inout Noise
  ) {
    if hiddenUnits == .gaussian {
      for i in 0..<count { states[i] = probabilities[i] + random.gaussianSample() }
    } else {
      for i in 0..<count { states[i] = probabilities[i] > random.uniformSample() ? 1 : 0 }
    }
  }
}
