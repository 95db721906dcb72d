// ForwardTests: each op on tiny tensors against hand-computed values.

import NetLangTensor
import Testing

@testable import NetLangGraph

@Test("dense computes x·Wᵀ + b per row and per time step")
func denseForward() throws {
  // x = [[1, 2], [3, 4]], W = [[1, 0], [1, 1], [0, -1]], b = [0.5, 0, -1]
  let y = try forwardValues(
    batch: 2, inputs: [("x", [2], [1, 2, 3, 4])],
    parameters: ["fc.weight": [1, 0, 1, 1, 0, -1], "fc.bias": [0.5, 0, -1]]
  ) { b, x in try b.dense(x[0], units: 3, name: "fc") }
  #expect(y == [1.5, 3, -3, 3.5, 7, -5])
  let sequence = try forwardValues(
    batch: 1, inputs: [("x", [2, 2], [1, 2, 3, 4])],
    parameters: ["fc.weight": [1, 0, 1, 1, 0, -1]]
  ) { b, x in try b.dense(x[0], units: 3, name: "fc", bias: false) }
  #expect(sequence == [1, 3, -2, 3, 7, -4])
}

@Test("broadcast arithmetic aligns per-example shapes from the right")
func broadcastArithmetic() throws {
  let inputs: [(String, Shape, [Float])] = [
    ("a", [2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), ("b", [3], [10, 20, 30, 40, 50, 60]),
  ]
  let sum = try forwardValues(batch: 2, inputs: inputs) { b, x in try b.append(.add, [x[0], x[1]]) }
  #expect(sum == [11, 22, 33, 14, 25, 36, 47, 58, 69, 50, 61, 72])
  let product = try forwardValues(batch: 2, inputs: inputs) { b, x in
    try b.append(.multiply, [x[0], x[1]])
  }
  #expect(product == [10, 40, 90, 40, 100, 180, 280, 400, 540, 400, 550, 720])
  let difference = try forwardValues(batch: 2, inputs: inputs) { b, x in
    try b.append(.subtract, [x[1], x[0]])
  }
  #expect(difference == [9, 18, 27, 6, 15, 24, 33, 42, 51, 30, 39, 48])
  let quotient = try forwardValues(batch: 1, inputs: [("a", [2], [1, 3]), ("b", [1], [2])]) {
    b, x in
    try b.append(.divide, [x[0], x[1]])
  }
  #expect(quotient == [0.5, 1.5])
  let withConstant = try forwardValues(batch: 1, inputs: [("a", [2], [1, 3])]) { b, x in
    try b.append(.multiply, [b.constant(0.5), x[0]])
  }
  #expect(withConstant == [0.5, 1.5])
}

@Test("activations match their formulas")
func activations() throws {
  let x: [Float] = [-2, -0.5, 0, 1.5]
  func run(_ op: Op) throws -> [Float] {
    try forwardValues(batch: 1, inputs: [("x", [4], x)]) { b, x in try b.append(op, [x[0]]) }
  }
  #expect(try run(.relu) == [0, 0, 0, 1.5])
  #expect(try run(.leakyRelu(slope: 0.1)) == [-0.2, -0.05, 0, 1.5])
  #expect(close(try run(.tanh), [-0.9640276, -0.46211716, 0, 0.90514827]))
  #expect(close(try run(.sigmoid), [0.11920292, 0.37754067, 0.5, 0.8175745]))
  #expect(try run(.scale(3)) == [-6, -1.5, 0, 4.5])
  // softmax([-2, -0.5, 0, 1.5]) = e^x / Σ e^x, computed with Python's math.exp
  #expect(close(try run(.softmax), [0.0217457, 0.0974573, 0.1606799, 0.7201172], tolerance: 1e-5))
  let big = try forwardValues(batch: 1, inputs: [("x", [2], [1000, 1000])]) { b, x in
    try b.append(.softmax, [x[0]])
  }
  #expect(big == [0.5, 0.5])
}

@Test("reshape, concat, lastStep move elements as expected")
func structure() throws {
  let reshaped = try forwardValues(batch: 1, inputs: [("x", [2, 3], [1, 2, 3, 4, 5, 6])]) { b, x in
    try b.reshape(x[0], to: [3, 2])
  }
  #expect(reshaped == [1, 2, 3, 4, 5, 6])
  let joined = try forwardValues(
    batch: 2, inputs: [("a", [2, 1], [1, 2, 3, 4]), ("b", [2, 2], [5, 6, 7, 8, 9, 10, 11, 12])]
  ) { b, x in try b.append(.concat(axis: 1), [x[0], x[1]]) }
  #expect(joined == [1, 5, 6, 2, 7, 8, 3, 9, 10, 4, 11, 12])
  let last = try forwardValues(batch: 2, inputs: [("x", [3, 2], Array(1...12).map(Float.init))]) {
    b, x in
    try b.append(.lastStep, [x[0]])
  }
  #expect(last == [5, 6, 11, 12])
}

@Test("dropout zeroes about rate of the elements and scales the rest; identity in evaluation")
func dropout() throws {
  let x = [Float](repeating: 1, count: 1000)
  let trained = try forwardValues(batch: 1, inputs: [("x", [1000], x)], training: true) { b, x in
    try b.append(.dropout(rate: 0.25), [x[0]])
  }
  let zeros = trained.filter { $0 == 0 }.count
  #expect(zeros > 200 && zeros < 300)
  #expect(trained.allSatisfy { $0 == 0 || abs($0 - 4.0 / 3.0) < 1e-6 })
  let evaluated = try forwardValues(batch: 1, inputs: [("x", [1000], x)]) { b, x in
    try b.append(.dropout(rate: 0.25), [x[0]])
  }
  #expect(evaluated == x)
}

@Test("losses and accuracy match hand-computed values")
func losses() throws {
  // mse: ½((1−0)² + (2−4)²) = 2.5 and ½(3−3)² = 0 for the two examples → mean 1.25
  let mse = try forwardValues(
    batch: 2, inputs: [("y", [2], [1, 2, 3, 3]), ("t", [2], [0, 4, 3, 3])]
  ) { b, x in
    try b.append(.mseLoss, [x[0], x[1]])
  }
  #expect(mse == [1.25])
  // cross entropy of logits [0, ln 3] with label 1: −log(3/4); with label 0: −log(1/4)
  let ce = try forwardValues(
    batch: 2, inputs: [("z", [2], [0, Float(1.0986123), 0, Float(1.0986123)]), ("l", [], [1, 0])]
  ) { b, x in try b.append(.softmaxCrossEntropy, [x[0], x[1]]) }
  #expect(close(ce, [Float((0.2876821 + 1.3862944) / 2)]))
  // bce of p = 0.8 with t = 1 and p = 0.4 with t = 0: −(log 0.8 + log 0.6)/2; p = 0 clamps at 100
  let bce = try forwardValues(batch: 2, inputs: [("p", [1], [0.8, 0.4]), ("t", [1], [1, 0])]) {
    b, x in
    try b.append(.bceLoss, [x[0], x[1]])
  }
  #expect(close(bce, [Float((0.22314355 + 0.5108256) / 2)]))
  let clamped = try forwardValues(batch: 1, inputs: [("p", [1], [0]), ("t", [1], [1])]) { b, x in
    try b.append(.bceLoss, [x[0], x[1]])
  }
  #expect(clamped == [100])
  // bce from logits z = ln 4 (p = 0.8), t = 1 → −log 0.8; z = −800 with t = 0 → 0 (stable)
  let logits = try forwardValues(
    batch: 2, inputs: [("z", [1], [Float(1.3862944), -800]), ("t", [1], [1, 0])]
  ) { b, x in
    try b.append(.bceWithLogitsLoss, [x[0], x[1]])
  }
  #expect(close(logits, [0.22314355 / 2]))
  let accuracy = try forwardValues(
    batch: 3, inputs: [("z", [3], [0, 2, 1, 5, 0, 0, 1, 1, 3]), ("l", [], [1, 1, 2])]
  ) { b, x in try b.append(.accuracy, [x[0], x[1]]) }
  #expect(close(accuracy, [2.0 / 3.0]))
}

@Test("an invalid class label is reported with its node")
func invalidLabel() throws {
  var builder = GraphBuilder()
  let z = builder.input("z", shape: [3])
  let label = builder.input("label", shape: [])
  let loss = try builder.append(.softmaxCrossEntropy, [z, label])
  let executor = Executor(graph: builder.graph, maxBatch: 1)
  try executor.setInput("z", [1, 2, 3])
  try executor.setInput("label", [3])
  #expect(throws: ExecutionError.invalidIndex(node: loss, value: 3)) {
    try executor.forward(training: false)
  }
}
