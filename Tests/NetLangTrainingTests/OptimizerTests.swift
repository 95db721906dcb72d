// OptimizerTests: SGD and Adam against hand-computed updates and torch.optim (OptimizerFixture),
// state export and restore, gradient clipping and learning-rate schedules.

import Testing

@testable import NetLangTraining

/// Parameters and gradients in memory owned by the test, as the executor would own them.
final class Parameters {
  let buffers: [ParameterBuffer]

  init(names: [String], values: [[Float]]) {
    buffers = zip(names, values).map { name, initial in
      let value = UnsafeMutableBufferPointer<Float>.allocate(capacity: initial.count)
      _ = value.initialize(from: initial)
      let gradient = UnsafeMutableBufferPointer<Float>.allocate(capacity: initial.count)
      gradient.initialize(repeating: 0)
      return ParameterBuffer(name: name, value: value, gradient: gradient)
    }
  }

  deinit {
    for buffer in buffers {
      buffer.value.deallocate()
      buffer.gradient.deallocate()
    }
  }

  func setGradients(_ gradients: [[Float]]) {
    for (buffer, gradient) in zip(buffers, gradients) {
      for i in gradient.indices { buffer.gradient[i] = gradient[i] }
    }
  }

  var values: [[Float]] { buffers.map { Array($0.value) } }
  var gradients: [[Float]] { buffers.map { Array($0.gradient) } }
}

/// Largest |a − b| / max(1, |b|) over all values.
func relativeError(_ actual: [[Float]], _ expected: [[Float]]) -> Float {
  var worst: Float = 0
  for (a, b) in zip(actual, expected) {
    #expect(a.count == b.count)
    for (x, y) in zip(a, b) { worst = max(worst, abs(x - y) / max(1, abs(y))) }
  }
  return worst
}

@Suite("optimizers") struct OptimizerTests {
  @Test("SGD by hand: plain, weight decay, first momentum step uses the gradient, nesterov")
  func sgdByHand() {
    let parameters = Parameters(names: ["w"], values: [[1, -2]])
    var sgd = SGD(SGDSettings(learningRate: 0.5, momentum: 0.9, weightDecay: 0.1, nesterov: true))
    parameters.setGradients([[0.2, 0.4]])
    sgd.step(parameters: parameters.buffers, learningRate: 0.5)
    // g = (0.3, 0.2); v = g; nesterov g' = g + 0.9 v = (0.57, 0.38); p = p − 0.5 g'.
    #expect(relativeError(parameters.values, [[0.715, -2.19]]) < 1e-6)
    #expect(relativeError([sgd.state.buffers["w.momentum"] ?? []], [[0.3, 0.2]]) < 1e-6)
    parameters.setGradients([[0, 0]])
    sgd.step(parameters: parameters.buffers, learningRate: 0.5)
    // g = 0.1 p = (0.0715, −0.219); v = 0.9 v + g = (0.3415, −0.039); g' = g + 0.9 v.
    let g: [Float] = [0.0715 + 0.9 * 0.3415, -0.219 + 0.9 * -0.039]
    #expect(relativeError(parameters.values, [[0.715 - 0.5 * g[0], -2.19 - 0.5 * g[1]]]) < 1e-6)
    #expect(sgd.state.step == 2)
    #expect(parameters.gradients == [[0, 0]])
  }

  @Test("Adam by hand: the first step moves each weight by lr·sign(g) (bias correction)")
  func adamByHand() {
    let parameters = Parameters(names: ["w"], values: [[1, -2, 3]])
    var adam = Adam(AdamSettings(learningRate: 0.1, epsilon: 0))
    parameters.setGradients([[0.5, -3, 1e-3]])
    adam.step(parameters: parameters.buffers, learningRate: 0.1)
    #expect(relativeError(parameters.values, [[0.9, -1.9, 2.9]]) < 1e-6)
    // m = 0.1 g, v = 0.001 g².
    let state = adam.state
    #expect(relativeError([state.buffers["w.exp_avg"] ?? []], [[0.05, -0.3, 1e-4]]) < 1e-6)
    #expect(relativeError([state.buffers["w.exp_avg_sq"] ?? []], [[0.00025, 0.009, 1e-9]]) < 1e-6)
    #expect(state.step == 1)
  }

  @Test("every case matches torch.optim step by step", arguments: OptimizerFixture.cases.indices)
  func matchesTorch(_ index: Int) {
    let (label, spec, rate, expected) = OptimizerFixture.cases[index]
    let parameters = Parameters(names: OptimizerFixture.names, values: OptimizerFixture.initial)
    var optimizer = makeOptimizer(spec)
    for step in 0..<expected.count {
      parameters.setGradients(OptimizerFixture.gradients[step])
      optimizer.step(parameters: parameters.buffers, learningRate: rate)
      let error = relativeError(parameters.values, expected[step])
      #expect(error < 2e-6, "\(label), step \(step + 1): relative error \(error)")
    }
  }

  @Test(
    "state exported after two steps and restored gives torch's last three steps",
    arguments: OptimizerFixture.cases.indices)
  func restore(_ index: Int) throws {
    let (label, spec, rate, expected) = OptimizerFixture.cases[index]
    let parameters = Parameters(names: OptimizerFixture.names, values: OptimizerFixture.initial)
    var first = makeOptimizer(spec)
    for step in 0..<2 {
      parameters.setGradients(OptimizerFixture.gradients[step])
      first.step(parameters: parameters.buffers, learningRate: rate)
    }
    var second = makeOptimizer(spec)
    try second.restore(first.state, parameters: parameters.buffers)
    #expect(second.state == first.state)
    for step in 2..<expected.count {
      parameters.setGradients(OptimizerFixture.gradients[step])
      second.step(parameters: parameters.buffers, learningRate: rate)
    }
    #expect(relativeError(parameters.values, expected[expected.count - 1]) < 2e-6, "\(label)")
  }

  @Test("restoring a state with a missing or wrongly sized buffer is an error")
  func badRestore() {
    let parameters = Parameters(names: ["w"], values: [[1, 2]])
    var adam = Adam(AdamSettings())
    #expect(throws: DataError.self) {
      try adam.restore(
        OptimizerState(step: 3, buffers: ["w.exp_avg": [0, 0]]), parameters: parameters.buffers)
    }
    #expect(throws: DataError.self) {
      try adam.restore(
        OptimizerState(step: 3, buffers: ["w.exp_avg": [0, 0], "w.exp_avg_sq": [0]]),
        parameters: parameters.buffers)
    }
  }

  @Test(
    "global-norm clipping matches torch.nn.utils.clip_grad_norm_",
    arguments: OptimizerFixture.clipping.indices)
  func clipping(_ index: Int) {
    let (scale, maxNorm, norm, clipped) = OptimizerFixture.clipping[index]
    let parameters = Parameters(names: OptimizerFixture.names, values: OptimizerFixture.initial)
    parameters.setGradients(OptimizerFixture.gradients[0].map { $0.map { $0 * scale } })
    let total = GradientClipping.clipGlobalNorm(parameters.buffers, maxNorm: maxNorm)
    #expect(abs(total - norm) / norm < 1e-6)
    #expect(relativeError(parameters.gradients, clipped) < 1e-6)
  }

  @Test("clipping by hand: a 3-4-5 gradient clipped to norm 1")
  func clippingByHand() {
    let parameters = Parameters(names: ["a", "b"], values: [[0], [0]])
    parameters.setGradients([[3], [4]])
    #expect(GradientClipping.clipGlobalNorm(parameters.buffers, maxNorm: 1) == 5)
    #expect(relativeError(parameters.gradients, [[0.6], [0.8]]) < 1e-6)
  }

  @Test(
    "learning-rate schedules match torch's schedulers",
    arguments: OptimizerFixture.schedules.indices)
  func schedules(_ index: Int) {
    let (label, spec, epochs, base, rates) = OptimizerFixture.schedules[index]
    for (epoch, rate) in rates.enumerated() {
      let ours = learningRate(for: spec, base: base, epoch: epoch, epochs: epochs)
      #expect(abs(ours - rate) < 1e-12, "\(label), epoch \(epoch)")
    }
    #expect(learningRate(for: .constant, base: base, epoch: 5, epochs: epochs) == base)
  }
}
