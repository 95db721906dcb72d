// LayerForwardTests: conv2d, pooling, batchnorm and embedding on tiny inputs against
// hand-computed values.

import NetLangTensor
import Testing

@testable import NetLangGraph

let oneToNine: [Float] = Array(1...9).map(Float.init)

@Test("conv2d computes cross-correlation with bias, padding and stride")
func conv2dForward() throws {
  // [[1, 0], [0, −1]] over 1…9 gives x[i][j] − x[i+1][j+1] = −4, plus bias 0.5
  let plain = try forwardValues(
    batch: 1, inputs: [("x", [1, 3, 3], oneToNine)],
    parameters: ["c.weight": [1, 0, 0, -1], "c.bias": [0.5]]
  ) { b, x in try b.conv2d(x[0], filters: 1, window: Window2D(kernel: (2, 2)), name: "c") }
  #expect(plain == [-3.5, -3.5, -3.5, -3.5])
  // a 3×3 box of ones with padding 1: neighbourhood sums of 1…9
  let padded = try forwardValues(
    batch: 1, inputs: [("x", [1, 3, 3], oneToNine)],
    parameters: ["c.weight": [Float](repeating: 1, count: 9)]
  ) { b, x in
    try b.conv2d(
      x[0], filters: 1, window: Window2D(kernel: (3, 3), padding: (1, 1)), name: "c", bias: false)
  }
  #expect(padded == [12, 21, 16, 27, 45, 33, 24, 39, 28])
  let strided = try forwardValues(
    batch: 1, inputs: [("x", [1, 3, 3], oneToNine)],
    parameters: ["c.weight": [Float](repeating: 1, count: 9)]
  ) { b, x in
    try b.conv2d(
      x[0], filters: 1, window: Window2D(kernel: (3, 3), stride: (2, 2), padding: (1, 1)),
      name: "c",
      bias: false)
  }
  #expect(strided == [12, 16, 24, 28])
  // two input channels, two filters: filter 0 sums channel 0, filter 1 takes channel 1 × 2
  let channels = try forwardValues(
    batch: 1, inputs: [("x", [2, 1, 2], [1, 2, 3, 4])],
    parameters: ["c.weight": [1, 0, 0, 2], "c.bias": [0, 1]]
  ) { b, x in try b.conv2d(x[0], filters: 2, window: Window2D(kernel: (1, 1)), name: "c") }
  #expect(channels == [1, 2, 7, 9])
}

@Test("max and average pooling over 2×2 windows")
func poolingForward() throws {
  let x: [Float] = Array(1...16).map(Float.init)
  let window = Window2D(kernel: (2, 2), stride: (2, 2))
  let maxima = try forwardValues(batch: 1, inputs: [("x", [1, 4, 4], x)]) { b, x in
    try b.append(.maxPool(window), [x[0]])
  }
  #expect(maxima == [6, 8, 14, 16])
  let means = try forwardValues(batch: 1, inputs: [("x", [1, 4, 4], x)]) { b, x in
    try b.append(.avgPool(window), [x[0]])
  }
  #expect(means == [3.5, 5.5, 11.5, 13.5])
}

@Test("batchnorm uses batch statistics in training and running statistics in evaluation")
func batchNormForward() throws {
  var builder = GraphBuilder()
  let x = builder.input("x", shape: [1])
  let y = try builder.batchNorm(x, name: "bn")
  let executor = Executor(graph: builder.graph, maxBatch: 4)
  var random = Random(seed: 0)
  executor.initializeParameters(random: &random)
  try executor.setInput("x", [1, 2, 3, 4])
  try executor.forward(training: true)
  // mean 2.5, biased variance 1.25
  let scale = 1 / (Float(1.25) + 1e-5).squareRoot()
  #expect(
    close(Array(executor.value(of: y)), [-1.5 * scale, -0.5 * scale, 0.5 * scale, 1.5 * scale]))
  // running mean 0.9·0 + 0.1·2.5; running var 0.9·1 + 0.1·(5/3) (unbiased)
  #expect(
    close(
      Array(executor.parameterValue(named: "bn.running_mean") ?? .init(start: nil, count: 0)),
      [0.25]))
  #expect(
    close(
      Array(executor.parameterValue(named: "bn.running_var") ?? .init(start: nil, count: 0)),
      [1.0666667]))
  try executor.forward(training: false)
  let evalScale = 1 / (Float(1.0666667) + 1e-5).squareRoot()
  #expect(close(Array(executor.value(of: y)), [0.75, 1.75, 2.75, 3.75].map { $0 * evalScale }))
}

@Test("embedding looks up rows; a bad id is reported")
func embeddingForward() throws {
  let y = try forwardValues(
    batch: 2, inputs: [("ids", [], [2, 0])], parameters: ["e.weight": [1, 2, 3, 4, 5, 6]]
  ) { b, x in try b.embedding(x[0], vocabulary: 3, dimension: 2, name: "e") }
  #expect(y == [5, 6, 1, 2])
  var builder = GraphBuilder()
  let ids = builder.input("ids", shape: [2])
  let e = try builder.embedding(ids, vocabulary: 3, dimension: 2, name: "e")
  let executor = Executor(graph: builder.graph, maxBatch: 1)
  try executor.setInput("ids", [1, 3])
  #expect(throws: ExecutionError.invalidIndex(node: e, value: 3)) {
    try executor.forward(training: false)
  }
}
