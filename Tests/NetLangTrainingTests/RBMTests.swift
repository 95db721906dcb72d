// RBMTests: contrastive divergence against numpy (Tests/Tools/make_rbm_fixture.py) with a
// fixed noise sequence, free energy against brute-force sums and integrals, and learning on a
// tiny data set.

import NetLangTensor
import Testing

@testable import NetLangTraining

/// Noise from fixed lists, in the order the RBM asks for it.
struct FixedNoise: RBMNoise {
  var uniforms: [Float]
  var normals: [Float]
  var nextUniform = 0
  var nextNormal = 0
  mutating func uniformSample() -> Float {
    defer { nextUniform += 1 }
    return uniforms[nextUniform % uniforms.count]
  }
  mutating func gaussianSample() -> Float {
    defer { nextNormal += 1 }
    return normals[nextNormal % normals.count]
  }
}

@Suite("rbm") struct RBMTests {
  static let data: [Float] = [1, 0, 1, 0, 1, 0.5]
  static func noise() -> FixedNoise {
    FixedNoise(
      uniforms: [0.3, 0.7, 0.55, 0.2, 0.9, 0.1, 0.45, 0.6, 0.35, 0.8, 0.5, 0.25],
      normals: [0.5, -1.0, 0.25, 1.5, -0.75, 0.3, 0.1, -0.2])
  }
  static func machine(_ units: RBM.HiddenUnits) throws -> RBM {
    try #require(
      RBM(
        weights: [0.1, -0.2, 0.3, -0.4, 0.5, 0.05], visibleBias: [0.01, -0.02, 0.03],
        hiddenBias: [0.1, -0.1], hiddenUnits: units))
  }

  func expectClose(_ a: [Float], _ b: [Double], _ what: String) {
    #expect(a.count == b.count, "\(what) count")
    for (x, y) in zip(a, b) { #expect(abs(Double(x) - y) < 2e-6, "\(what): \(x) vs \(y)") }
  }

  @Test("CD-1 twice with momentum and weight decay matches numpy")
  func cdOneTwice() throws {
    var rbm = try Self.machine(.bernoulli)
    var noise = Self.noise()
    let e1 = rbm.contrastiveDivergence(
      batch: Self.data, count: 2, k: 1, learningRate: 0.1, momentum: 0.5, weightDecay: 0.01,
      random: &noise)
    let e2 = rbm.contrastiveDivergence(
      batch: Self.data, count: 2, k: 1, learningRate: 0.1, momentum: 0.5, weightDecay: 0.01,
      random: &noise)
    expectClose(
      rbm.weights,
      [0.116292484, -0.211841955, 0.332645179, -0.406645218, 0.503599207, 0.0659024708], "W")
    expectClose(rbm.visibleBias, [0.0235084979, -0.0340402421, 0.0783589705], "b")
    expectClose(rbm.hiddenBias, [0.104459737, -0.102451225], "c")
    #expect(abs(e1 - 0.452966546) < 1e-6 && abs(e2 - 0.671095975) < 1e-6)
    #expect(noise.nextUniform == 8 && noise.nextNormal == 0)
  }

  @Test("CD-2 matches numpy")
  func cdTwo() throws {
    var rbm = try Self.machine(.bernoulli)
    var noise = Self.noise()
    rbm.contrastiveDivergence(
      batch: Self.data, count: 2, k: 2, learningRate: 0.1, momentum: 0.5, weightDecay: 0.01,
      random: &noise)
    expectClose(
      rbm.weights,
      [0.1053099, -0.203400098, 0.313246905, -0.403391066, 0.502923184, 0.0569455434], "W")
    expectClose(rbm.visibleBias, [0.0134405197, -0.023148432, 0.0499125642], "b")
    expectClose(rbm.hiddenBias, [0.101629078, -0.100474012], "c")
  }

  @Test("Gaussian hidden units: CD-1 twice matches numpy; the up-pass is the linear mean")
  func gaussian() throws {
    var rbm = try Self.machine(.gaussian)
    // Mean of example 0: W·(1, 0, 1) + c = (0.1 + 0.3 + 0.1, -0.4 + 0.05 - 0.1).
    expectClose(
      rbm.hiddenProbabilities(visible: Self.data, count: 2), [0.5, -0.45, 0.05, 0.425], "up")
    var noise = Self.noise()
    let e1 = rbm.contrastiveDivergence(
      batch: Self.data, count: 2, learningRate: 0.05, momentum: 0.5, weightDecay: 0.01,
      random: &noise)
    let e2 = rbm.contrastiveDivergence(
      batch: Self.data, count: 2, learningRate: 0.05, momentum: 0.5, weightDecay: 0.01,
      random: &noise)
    expectClose(
      rbm.weights,
      [0.117405237, -0.208911975, 0.318378251, -0.424220089, 0.52479472, 0.03651714], "W")
    expectClose(rbm.visibleBias, [0.0104320859, -0.0195953552, 0.0564718776], "b")
    expectClose(rbm.hiddenBias, [0.107987955, -0.0987123873], "c")
    #expect(abs(e1 - 0.287148033) < 1e-6 && abs(e2 - 0.600328184) < 1e-6)
    #expect(noise.nextNormal == 8 && noise.nextUniform == 0)
  }

  @Test("free energy equals −log Σ_h e^{−E(v,h)} by enumeration (Bernoulli hidden)")
  func freeEnergyBernoulli() throws {
    let rbm = try Self.machine(.bernoulli)
    var expected = 0.0
    for example in 0..<2 {
      let v = Self.data[(example * 3)..<(example * 3 + 3)].map(Double.init)
      var z = 0.0
      for code in 0..<4 {
        let h = [Double(code & 1), Double(code >> 1)]
        var negativeEnergy = 0.0
        for j in 0..<3 { negativeEnergy += Double(rbm.visibleBias[j]) * v[j] }
        for i in 0..<2 {
          negativeEnergy += Double(rbm.hiddenBias[i]) * h[i]
          for j in 0..<3 { negativeEnergy += h[i] * Double(rbm.weights[i * 3 + j]) * v[j] }
        }
        z += MathShim.exp(negativeEnergy)
      }
      expected += -MathShim.log(z) / 2
    }
    #expect(abs(rbm.freeEnergy(data: Self.data, count: 2) - expected) < 1e-6)
  }

  @Test("free energy equals −log ∫ e^{−E(v,h)} dh numerically (Gaussian hidden, E has ½‖h‖²)")
  func freeEnergyGaussian() throws {
    let rbm = try #require(
      RBM(
        weights: [0.7, -0.3], visibleBias: [0.2, -0.1], hiddenBias: [0.4], hiddenUnits: .gaussian))
    let v: [Float] = [1, 0.25]
    // ∫ exp(b·v + c·h + h·W·v − h²/2) dh by the trapezoid rule on [−12, 12].
    let bv = 0.2 * 1 - 0.1 * 0.25
    let x = 0.4 + 0.7 * 1 - 0.3 * 0.25
    var integral = 0.0
    let step = 0.001
    for i in 0...24000 {
      let h = -12 + Double(i) * step
      let weight = (i == 0 || i == 24000) ? 0.5 : 1.0
      integral += weight * MathShim.exp(bv + x * h - h * h / 2) * step
    }
    #expect(abs(rbm.freeEnergy(data: v, count: 1) - -MathShim.log(integral)) < 1e-6)
  }

  @Test("learning a tiny data set: reconstruction error and free energy of the data fall")
  func learns() {
    // Four 8-pixel patterns, two of them repeated.
    let patterns: [[Float]] = [
      [1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1], [1, 0, 1, 0, 1, 0, 1, 0],
      [1, 1, 0, 0, 1, 1, 0, 0],
    ]
    let data = (patterns + patterns).flatMap { $0 }
    for units in [RBM.HiddenUnits.bernoulli, .gaussian] {
      var random = Random(seed: 1)
      var rbm = RBM(visibleCount: 8, hiddenCount: 6, hiddenUnits: units, random: &random)
      let errorBefore = rbm.reconstructionError(data: data, count: 8)
      let energyBefore = rbm.freeEnergy(data: data, count: 8)
      let rate: Float = units == .bernoulli ? 0.1 : 0.01
      for epoch in 0..<400 {
        rbm.contrastiveDivergence(
          batch: data, count: 8, learningRate: rate, momentum: epoch < 5 ? 0.5 : 0.9,
          weightDecay: 0.0002, random: &random)
      }
      let errorAfter = rbm.reconstructionError(data: data, count: 8)
      let energyAfter = rbm.freeEnergy(data: data, count: 8)
      #expect(errorAfter < 0.5 * errorBefore, "\(units): \(errorBefore) → \(errorAfter)")
      #expect(energyAfter < energyBefore - 1, "\(units): \(energyBefore) → \(energyAfter)")
      // The training patterns are more probable than two patterns never shown.
      let unseen = [Float]([1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1])
      #expect(energyAfter < rbm.freeEnergy(data: unseen, count: 2), "\(units)")
    }
  }

  @Test("size mismatches return NaN or [] and change nothing")
  func badSizes() throws {
    var rbm = try Self.machine(.bernoulli)
    let before = rbm.weights
    var noise = Self.noise()
    let error = rbm.contrastiveDivergence(
      batch: [1, 0], count: 1, learningRate: 0.1, momentum: 0, weightDecay: 0, random: &noise)
    #expect(error.isNaN && rbm.weights == before)
    #expect(rbm.hiddenProbabilities(visible: [1], count: 1).isEmpty)
    #expect(rbm.freeEnergy(data: [], count: 0).isNaN)
    #expect(RBM(weights: [1, 2], visibleBias: [0], hiddenBias: [0]) == nil)
  }

  @Test("work buffers are allocated once per batch size")
  func buffersReused() throws {
    var rbm = try Self.machine(.bernoulli)
    var noise = Self.noise()
    rbm.contrastiveDivergence(
      batch: Self.data, count: 2, learningRate: 0.1, momentum: 0, weightDecay: 0, random: &noise)
    let identity = rbm.scratch.weightGradient.withUnsafeBufferPointer { $0.baseAddress }
    rbm.contrastiveDivergence(
      batch: Self.data, count: 2, learningRate: 0.1, momentum: 0, weightDecay: 0, random: &noise)
    #expect(rbm.scratch.weightGradient.withUnsafeBufferPointer { $0.baseAddress } == identity)
    rbm.contrastiveDivergence(
      batch: [1, 1, 1], count: 1, learningRate: 0.1, momentum: 0, weightDecay: 0, random: &noise)
    #expect(rbm.scratch.batchSize == 1 && rbm.scratch.visible.count == 6)
  }

  @Test("an unshuffled one-batch epoch is exactly one CD step; partial last batches work")
  func epochWiring() throws {
    var random = Random(seed: 9)
    let data = (0..<(5 * 4)).map { Float(($0 * 7) % 5) / 4 }
    let start = RBM(visibleCount: 4, hiddenCount: 3, random: &random)
    var direct = start
    var viaEpoch = start
    var r1 = Random(seed: 2)
    var r2 = Random(seed: 2)
    let schedule = RBMSchedule(epochs: 1, batchSize: 5, learningRate: 0.1, shuffle: false)
    let e1 = direct.contrastiveDivergence(
      batch: data, count: 5, learningRate: 0.1, momentum: 0.5, weightDecay: 0.0002, random: &r1)
    var order = EpochOrder(count: 5, batchSize: 5, shuffle: false)
    let e2 = viaEpoch.trainEpoch(
      data: data, count: 5, epoch: 0, schedule: schedule, order: &order, random: &r2)
    #expect(direct.weights == viaEpoch.weights && direct.hiddenBias == viaEpoch.hiddenBias)
    #expect(abs(e1 - e2) < 1e-12)
    // Batches of 2, 2, 1 with shuffling: three updates, finite error, velocities set.
    var shuffled = start
    let errors = shuffled.train(
      data: data, count: 5, schedule: RBMSchedule(epochs: 3, batchSize: 2), random: &random)
    #expect(errors.count == 3 && errors.allSatisfy(\.isFinite))
    #expect(shuffled.weightVelocity.contains { $0 != 0 })
  }

  @Test("paper schedule: momentum 0.5 for five epochs then 0.9; linear layer rate 0.001")
  func schedule() {
    let s = RBMSchedule.paper(.bernoulli)
    #expect((0..<7).map(s.momentum(epoch:)) == [0.5, 0.5, 0.5, 0.5, 0.5, 0.9, 0.9])
    #expect(s.learningRate == 0.1 && s.epochs == 50 && s.batchSize == 100)
    #expect(RBMSchedule.paper(.gaussian).learningRate == 0.001)
  }

  @Test("decoder weight is Wᵀ in out × in layout")
  func transposed() throws {
    let rbm = try Self.machine(.bernoulli)
    #expect(rbm.transposedWeights == [0.1, -0.4, -0.2, 0.5, 0.3, 0.05])
  }

  @Test("greedy stack: shapes chain, last layer linear, each layer learns its input")
  func stack() {
    var random = Random(seed: 4)
    // 40 noisy copies of 4 prototypes of 12 pixels.
    var data: [Float] = []
    for i in 0..<40 {
      for j in 0..<12 {
        let on = (j / 3 == i % 4) || (j % 4 == i % 4)
        data.append(random.nextFloat() < 0.1 ? (on ? 0 : 1) : (on ? 1 : 0))
      }
    }
    let layers = RBMStack.pretrain(
      data: data, count: 40, sizes: [12, 10, 6, 2],
      schedule: { _, units in
        RBMSchedule(epochs: 60, batchSize: 10, learningRate: units == .gaussian ? 0.01 : 0.1)
      }, random: &random)
    #expect(layers.count == 3)
    #expect(layers.map(\.rbm.visibleCount) == [12, 10, 6])
    #expect(layers.map(\.rbm.hiddenCount) == [10, 6, 2])
    #expect(layers.map(\.rbm.hiddenUnits) == [.bernoulli, .bernoulli, .gaussian])
    for layer in layers {
      let errors = layer.epochErrors
      #expect(errors.count == 60 && errors.allSatisfy(\.isFinite))
      #expect((errors.last ?? .nan) < errors[0], "\(errors[0]) → \(errors.last ?? .nan)")
    }
    #expect(RBMStack.pretrain(data: data, count: 40, sizes: [11, 3], random: &random).isEmpty)
  }

  @Test("unrolled autoencoder: encoder reproduces the up-passes, decoder the down-passes")
  func unroll() {
    var random = Random(seed: 8)
    let rbms = [
      RBM(visibleCount: 5, hiddenCount: 4, random: &random),
      RBM(visibleCount: 4, hiddenCount: 2, hiddenUnits: .gaussian, random: &random),
    ]
    let layers = RBMStack.unroll(rbms)
    #expect(layers.map(\.inputCount) == [5, 4, 2, 4])
    #expect(layers.map(\.outputCount) == [4, 2, 4, 5])
    #expect(layers.map(\.activation) == [.logistic, .linear, .logistic, .logistic])
    // Apply each layer by hand: y_o = act(Σ_i W[o, i]·x_i + bias_o).
    let input: [Float] = [0.1, 0.9, 0.4, 0, 1]
    var x = input
    var outputs: [[Float]] = []
    for layer in layers {
      x = (0..<layer.outputCount).map { o in
        var sum = layer.bias[o]
        for i in 0..<layer.inputCount { sum += layer.weight[o * layer.inputCount + i] * x[i] }
        return layer.activation == .linear ? sum : 1 / (1 + MathShim.expf(-sum))
      }
      outputs.append(x)
    }
    let h1 = rbms[0].hiddenProbabilities(visible: input, count: 1)
    let code = rbms[1].hiddenProbabilities(visible: h1, count: 1)
    let back1 = rbms[1].visibleProbabilities(hidden: code, count: 1)
    let back0 = rbms[0].visibleProbabilities(hidden: back1, count: 1)
    for (got, want) in zip(outputs, [h1, code, back1, back0]) {
      #expect(got.count == want.count)
      for (a, b) in zip(got, want) { #expect(abs(a - b) < 1e-6) }
    }
  }

  @Test("a worker pool changes no deterministic result (beyond rounding)")
  func pool() {
    var random = Random(seed: 12)
    let data = (0..<(30 * 20)).map { _ in random.nextFloat() }
    let rbm = RBM(visibleCount: 20, hiddenCount: 16, random: &random)
    let pool = WorkerPool(threads: 2)
    let serial = rbm.hiddenProbabilities(visible: data, count: 30)
    let pooled = rbm.hiddenProbabilities(visible: data, count: 30, pool: pool)
    #expect(serial.count == pooled.count)
    for (a, b) in zip(serial, pooled) { #expect(abs(a - b) < 1e-6) }
    let e1 = rbm.reconstructionError(data: data, count: 30)
    let e2 = rbm.reconstructionError(data: data, count: 30, pool: pool)
    #expect(abs(e1 - e2) < 1e-5)
    let f1 = rbm.freeEnergy(data: data, count: 30)
    #expect(abs(f1 - rbm.freeEnergy(data: data, count: 30, pool: pool)) < 1e-4)
  }

  @Test(
    "CD-k with a 2-thread pool equals the serial update bit for bit",
    arguments: [(RBM.HiddenUnits.bernoulli, 1), (.bernoulli, 2), (.gaussian, 1)])
  func contrastiveDivergenceOnPool(units: RBM.HiddenUnits, k: Int) throws {
    // The products and sums split across the pool; the noise is drawn in the same order.
    var random = Random(seed: 31)
    let count = 40, visible = 70, hidden = 50
    let data = (0..<(count * visible)).map { _ in random.nextFloat() }
    var serial = RBM(visibleCount: visible, hiddenCount: hidden, random: &random)
    serial.hiddenUnits = units
    var pooled = serial
    let pool = WorkerPool(threads: 2)
    var noiseA = Random(seed: 5)
    var noiseB = Random(seed: 5)
    for _ in 0..<3 {
      let e1 = serial.contrastiveDivergence(
        batch: data, count: count, k: k, learningRate: 0.1, momentum: 0.5, weightDecay: 0.001,
        random: &noiseA)
      let e2 = pooled.contrastiveDivergence(
        batch: data, count: count, k: k, learningRate: 0.1, momentum: 0.5, weightDecay: 0.001,
        random: &noiseB, pool: pool)
      #expect(e1 == e2)
    }
    #expect(serial.weights == pooled.weights)
    #expect(serial.visibleBias == pooled.visibleBias)
    #expect(serial.hiddenBias == pooled.hiddenBias)
    #expect(noiseA.nextFloat() == noiseB.nextFloat())
  }
}
