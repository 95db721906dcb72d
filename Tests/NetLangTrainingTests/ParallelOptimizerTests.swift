// ParallelOptimizerTests: an update split across a worker pool gives the same bits as the same
// update on one thread, and copies of an optimizer keep separate state.

import NetLangTensor
import Testing

@testable import NetLangTraining

@Suite("optimizers on a worker pool") struct ParallelOptimizerTests {
  /// Two parameters big enough to be split (one not a multiple of 16) and one small one.
  static func model(seed: UInt64) -> Parameters {
    var random = Random(seed: seed)
    let sizes = [70_001, 40_000, 10]
    return Parameters(
      names: ["a.weight", "b.weight", "b.bias"],
      values: sizes.map { n in (0..<n).map { _ in Float(random.uniform(-1, 1)) } })
  }

  static func gradients(seed: UInt64, step: Int) -> [[Float]] {
    var random = Random(seed: seed &+ UInt64(step) &* 7919)
    return [70_001, 40_000, 10].map { n in (0..<n).map { _ in Float(random.uniform(-1, 1)) } }
  }

  func compare(_ make: () -> any Optimizer) {
    let pool = WorkerPool(threads: 2)
    let serial = Self.model(seed: 3)
    let split = Self.model(seed: 3)
    var first = make()
    var second = make()
    for step in 0..<3 {
      let gradients = Self.gradients(seed: 5, step: step)
      serial.setGradients(gradients)
      split.setGradients(gradients)
      first.step(parameters: serial.buffers, learningRate: 0.1, pool: nil)
      second.step(parameters: split.buffers, learningRate: 0.1, pool: pool)
    }
    #expect(serial.values == split.values)
    #expect(first.state == second.state)
    #expect(serial.values[0][0] != Self.model(seed: 3).values[0][0])
  }

  @Test("SGD with momentum, weight decay and Nesterov: bit-identical with 2 threads")
  func sgdSplit() {
    compare {
      SGD(SGDSettings(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true))
    }
  }

  @Test("plain SGD: bit-identical with 2 threads")
  func plainSGDSplit() {
    compare { SGD(SGDSettings(learningRate: 0.1)) }
  }

  @Test("Adam: bit-identical with 2 threads")
  func adamSplit() {
    compare { Adam(AdamSettings(learningRate: 0.1)) }
  }

  @Test("the gradients' NaN check finds one bad value anywhere, on one thread and on two")
  func finiteCheckSplit() {
    let pool = WorkerPool(threads: 2)
    let parameters = Self.model(seed: 7)
    let clean = Self.gradients(seed: 9, step: 0)
    parameters.setGradients(clean)
    #expect(Trainer.allFinite(parameters.buffers))
    #expect(Trainer.allFinite(parameters.buffers, pool: pool))
    // The first and last element of each gradient, and the middle where the split falls.
    for (index, gradient) in clean.enumerated() {
      for position in Set([0, gradient.count / 2, gradient.count - 1]) {
        for bad in [Float.nan, .infinity] {
          var broken = clean
          broken[index][position] = bad
          parameters.setGradients(broken)
          #expect(!Trainer.allFinite(parameters.buffers), "\(index) \(position) \(bad)")
          #expect(!Trainer.allFinite(parameters.buffers, pool: pool), "\(index) \(position) \(bad)")
        }
      }
    }
  }

  @Test("a copy of an optimizer keeps its own momentum")
  func copiesAreIndependent() {
    let parameters = Parameters(names: ["w"], values: [[1, 2]])
    var original = SGD(SGDSettings(learningRate: 0.5, momentum: 0.9))
    parameters.setGradients([[1, 1]])
    original.step(parameters: parameters.buffers, learningRate: 0.5)
    let saved = original
    original.step(parameters: parameters.buffers, learningRate: 0.5)
    #expect(saved.state.buffers["w.momentum"] == [1, 1])
    #expect(original.state.buffers["w.momentum"] == [1.9, 1.9])
  }
}
