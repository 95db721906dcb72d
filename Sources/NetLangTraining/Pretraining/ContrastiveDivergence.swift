// ContrastiveDivergence: one CD-k update of an RBM on a minibatch, following Hinton's rbm.m
// and rbmhidlinear.m (2006): statistics from probabilities, hidden states sampled, visible
// reconstructions kept as probabilities, momentum on the updates, weight decay on W only.
//
// B = batch size, V = visible units, H = hidden units; W is H×V row-major.

import NetLangTensor

/// Work buffers for one batch size, allocated once and reused by every update.
struct RBMScratch: Sendable {
  var batchSize = 0
  /// 2B×H: rows 0..<B the positive-phase hidden probabilities (or means) h⁺, rows B..<2B the
  /// negative phase's h⁻ (negated for the statistics' product).
  var hidden: [Float] = []
  /// B×H: sampled hidden states driving the Gibbs chain.
  var hiddenStates: [Float] = []
  /// 2B×V: rows 0..<B a copy of the data (for the statistics' product), rows B..<2B the
  /// chain's visible probabilities v⁻ (the reconstruction).
  var visible: [Float] = []
  /// H×V: the statistics' product, when its depth is more than one block (otherwise its
  /// blocks stay in Gemm's scratch).
  var weightGradient: [Float] = []
  /// Column sums of the data, of v⁻, of h⁺ and of h⁻ (the positive ones become the
  /// positive-minus-negative differences).
  var visibleSums: [Float] = []
  var negativeVisibleSums: [Float] = []
  var hiddenSums: [Float] = []
  var negativeHiddenSums: [Float] = []
  /// The weights' step fused into the statistics' product.
  var momentumBlocks: MomentumBlocks?

  mutating func prepare(batchSize b: Int, visible v: Int, hidden h: Int) {
    guard b != batchSize || weightGradient.count != h * v else { return }
    batchSize = b
    hidden = [Float](repeating: 0, count: 2 * b * h)
    hiddenStates = [Float](repeating: 0, count: b * h)
    visible = [Float](repeating: 0, count: 2 * b * v)
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
  ///
  /// The two statistics are one product, [h⁺; −h⁻]ᵀ·[data; v⁻] (depth 2B), whose blocks the
  /// weights' step takes as the product finishes them, while they are in cache (C is not
  /// written when the depth fits one block); the sums differ from h⁺ᵀ·data − h⁻ᵀ·v⁻ only by
  /// rounding, and every split of the product across a pool gives the same bits.
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
    // h⁻ and v⁻ start at row B of their buffers.
    let (negativeH, negativeV) = (count * h, count * v)

    // Positive phase, and the hidden states sampled from it.
    RBMMath.hiddenActivation(
      batch, count: count, weights: weights, bias: hiddenBias, visibleCount: v, hiddenCount: h,
      logistic: !gaussian, into: &s.hidden, pool: pool)
    sample(s.hidden, into: &s.hiddenStates, random: &random)

    // Gibbs chain.
    var error = 0.0
    for step in 1...k {
      RBMMath.visibleProbabilities(
        s.hiddenStates, count: count, weights: weights, bias: visibleBias, visibleCount: v,
        hiddenCount: h, into: &s.visible, outOffset: negativeV, pool: pool)
      if step == 1 {
        error = RBMMath.squaredError(batch, s.visible, bOffset: negativeV) / Double(count)
      }
      RBMMath.hiddenActivation(
        s.visible, count: count, weights: weights, bias: hiddenBias, visibleCount: v,
        hiddenCount: h, logistic: !gaussian, into: &s.hidden, offsets: (negativeV, negativeH),
        pool: pool)
      if step < k {
        sample(s.hidden, from: negativeH, into: &s.hiddenStates, random: &random)
      }
    }
    RBMMath.columnSums(batch, rows: count, width: v, into: &s.visibleSums)
    RBMMath.columnSums(
      s.visible, offset: negativeV, rows: count, width: v, into: &s.negativeVisibleSums)
    RBMMath.subtract(s.negativeVisibleSums, from: &s.visibleSums)
    RBMMath.columnSums(s.hidden, rows: count, width: h, into: &s.hiddenSums)
    RBMMath.columnSums(
      s.hidden, offset: negativeH, rows: count, width: h, into: &s.negativeHiddenSums)
    RBMMath.subtract(s.negativeHiddenSums, from: &s.hiddenSums)

    // The statistics in one product, its blocks taken by the weights' momentum step (as
    // FusedUpdates does for dense layers), the same arithmetic per element.
    s.visible.withUnsafeMutableBufferPointer { rows in
      rows.baseAddress?.update(from: batch, count: negativeV)
    }
    s.hidden.withUnsafeMutableBufferPointer { rows in
      for i in negativeH..<rows.count { rows[i] = -rows[i] }
    }
    let scale = 1 / Float(count)
    if let blocks = s.momentumBlocks {
      (blocks.width, blocks.scale, blocks.learningRate) = (v, scale, learningRate)
      (blocks.momentum, blocks.weightDecay) = (momentum, weightDecay)
      weights.withUnsafeMutableBufferPointer { w in
        weightVelocity.withUnsafeMutableBufferPointer { d in
          guard w.count == h * v, d.count == h * v else { return }
          (blocks.parameters, blocks.velocity) = (w.baseAddress, d.baseAddress)
          defer { (blocks.parameters, blocks.velocity) = (nil, nil) }
          RBMMath.multiply(
            transposeA: true, m: h, n: v, k: 2 * count, s.hidden, s.visible, consumer: blocks,
            into: &s.weightGradient, pool: pool)
        }
      }
    }
    RBMMath.momentumStep(
      parameters: &visibleBias, velocity: &visibleBiasVelocity, gradient: s.visibleSums,
      scale: scale, learningRate: learningRate, momentum: momentum, weightDecay: 0)
    RBMMath.momentumStep(
      parameters: &hiddenBias, velocity: &hiddenBiasVelocity, gradient: s.hiddenSums,
      scale: scale, learningRate: learningRate, momentum: momentum, weightDecay: 0)
    return error
  }

  /// Hidden states (all of `states`) from probabilities (Bernoulli) or means (Gaussian) from
  /// `offset` in `probabilities`, in row-major order.
  private func sample<Noise: RBMNoise>(
    _ probabilities: [Float], from offset: Int = 0, into states: inout [Float],
    random: inout Noise
  ) {
    probabilities.withUnsafeBufferPointer { p in
      states.withUnsafeMutableBufferPointer { out in
        let count = min(p.count - offset, out.count)
        guard let p = p.baseAddress.map({ $0 + offset }), let out = out.baseAddress else {
          return
        }
        if hiddenUnits == .gaussian {
          for i in 0..<count { out[i] = p[i] + random.gaussianSample() }
        } else {
          for i in 0..<count { out[i] = p[i] > random.uniformSample() ? 1 : 0 }
        }
      }
    }
  }
}
