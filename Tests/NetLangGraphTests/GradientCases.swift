// GradientCases: one finite-difference case per differentiable op (the OpCoverageTests
// check that every op has one). Each case builds a tiny graph around the op.

import NetLangTensor
import Testing

@testable import NetLangGraph

/// A named gradient check around one op.
struct GradCase: CustomStringConvertible, Sendable {
  /// The op name (`Op.name`) this case covers.
  var op: String
  var note: String = ""
  var batch = 2
  var inputs: @Sendable () -> [FedInput]
  var build: @Sendable (inout GraphBuilder, [NodeID]) throws -> NodeID
  var description: String { note.isEmpty ? op : "\(op) (\(note))" }
}

/// Labels as floats in 0..<classes.
func labels(_ count: Int, classes: Int, seed: UInt64) -> [Float] {
  var random = Random(seed: seed)
  return (0..<count).map { _ in Float(random.nextInt(below: classes)) }
}

extension GradCase {
  static func unary(_ op: Op, shape: Shape = [3, 4], values: (@Sendable (Int) -> [Float])? = nil)
    -> GradCase
  {
    GradCase(
      op: op.name,
      inputs: {
        let count = 2 * shape.elementCount
        return [
          FedInput(name: "x", shape: shape, values: values?(count) ?? awayFromZero(count, seed: 3))
        ]
      },
      build: { b, x in try b.append(op, [x[0]]) })
  }

  static func binary(_ op: Op, _ a: Shape, _ bShape: Shape, note: String, positiveB: Bool = false)
    -> GradCase
  {
    GradCase(
      op: op.name, note: note,
      inputs: {
        [
          FedInput(name: "a", shape: a, values: awayFromZero(2 * a.elementCount, seed: 4)),
          FedInput(
            name: "b", shape: bShape,
            values: positiveB
              ? uniformValues(2 * bShape.elementCount, 0.5, 1.5, seed: 5)
              : awayFromZero(2 * bShape.elementCount, seed: 5)),
        ]
      },
      build: { b, x in try b.append(op, [x[0], x[1]]) })
  }

  static let all: [GradCase] = [
    GradCase(
      op: "dense", note: "[B, 3] → [B, 4]",
      inputs: { [FedInput(name: "x", shape: [3], values: awayFromZero(6, seed: 1))] },
      build: { b, x in try b.dense(x[0], units: 4, name: "fc") }),
    GradCase(
      op: "dense", note: "per time step, no bias",
      inputs: { [FedInput(name: "x", shape: [3, 2], values: awayFromZero(12, seed: 2))] },
      build: { b, x in try b.dense(x[0], units: 3, name: "fc", bias: false) }),
    .binary(.add, [4, 3], [3], note: "[4, 3] + [3]"),
    .binary(.add, [3], [4, 3], note: "[3] + [4, 3]"),
    .binary(.subtract, [2, 3], [2, 1], note: "[2, 3] − [2, 1]"),
    .binary(.multiply, [4, 3], [3], note: "[4, 3] · [3]"),
    .binary(.divide, [4, 3], [4, 3], note: "equal shapes", positiveB: true),
    .binary(.divide, [2, 3], [1], note: "by [1]", positiveB: true),
    GradCase(
      op: "add", note: "batched + parameter",
      inputs: { [FedInput(name: "x", shape: [2, 3], values: awayFromZero(12, seed: 6))] },
      build: { b, x in
        let p = b.parameter("p", shape: [3], initializer: .uniform(bound: 1))
        return try b.append(.add, [x[0], p])
      }),
    .unary(.scale(-2.5)),
    .unary(.relu),
    .unary(.leakyRelu(slope: 0.1)),
    .unary(.tanh),
    .unary(.sigmoid),
    .unary(.softmax),
    GradCase(
      op: "reshape",
      inputs: { [FedInput(name: "x", shape: [2, 3], values: awayFromZero(12, seed: 7))] },
      build: { b, x in try b.reshape(try b.append(.tanh, [x[0]]), to: [6]) }),
    GradCase(
      op: "concat", note: "axis 1",
      inputs: {
        [
          FedInput(name: "a", shape: [2, 3], values: awayFromZero(12, seed: 8)),
          FedInput(name: "b", shape: [2, 1], values: awayFromZero(4, seed: 9)),
        ]
      },
      build: { b, x in try b.append(.concat(axis: 1), [x[0], x[1]]) }),
    GradCase(
      op: "concat", note: "axis 0",
      inputs: {
        [
          FedInput(name: "a", shape: [1, 3], values: awayFromZero(6, seed: 8)),
          FedInput(name: "b", shape: [2, 3], values: awayFromZero(12, seed: 9)),
        ]
      },
      build: { b, x in try b.append(.concat(axis: 0), [x[0], x[1]]) }),
    .unary(.dropout(rate: 0.5)),
    .unary(.lastStep),
    GradCase(
      op: "sumTo",
      inputs: { [FedInput(name: "x", shape: [2, 3], values: awayFromZero(12, seed: 10))] },
      build: { b, x in try b.append(.sumTo, [x[0]], declared: ValueType([3], batched: false)) }),
    GradCase(
      op: "broadcastTo",
      inputs: { [FedInput(name: "x", shape: [3], values: awayFromZero(6, seed: 11))] },
      build: { b, x in
        try b.append(.broadcastTo, [x[0]], declared: ValueType([2, 3], batched: true))
      }),
    GradCase(
      op: "mseLoss",
      inputs: {
        [
          FedInput(name: "y", shape: [3], values: awayFromZero(6, seed: 12)),
          FedInput(name: "t", shape: [3], values: awayFromZero(6, seed: 13), differentiable: false),
        ]
      },
      build: { b, x in try b.append(.mseLoss, [x[0], x[1]]) }),
    GradCase(
      op: "softmaxCrossEntropy", note: "[C]",
      inputs: {
        [
          FedInput(name: "z", shape: [4], values: awayFromZero(8, seed: 14)),
          FedInput(name: "label", shape: [], values: [3, 0], differentiable: false),
        ]
      },
      build: { b, x in try b.append(.softmaxCrossEntropy, [x[0], x[1]]) }),
    GradCase(
      op: "softmaxCrossEntropy", note: "[T, C]",
      inputs: {
        [
          FedInput(name: "z", shape: [3, 4], values: awayFromZero(24, seed: 15)),
          FedInput(
            name: "label", shape: [3], values: labels(6, classes: 4, seed: 2), differentiable: false
          ),
        ]
      },
      build: { b, x in try b.append(.softmaxCrossEntropy, [x[0], x[1]]) }),
    GradCase(
      op: "bceLoss",
      inputs: {
        [
          FedInput(name: "p", shape: [3], values: uniformValues(6, 0.2, 0.8, seed: 16)),
          FedInput(
            name: "t", shape: [3], values: uniformValues(6, 0, 1, seed: 17), differentiable: false),
        ]
      },
      build: { b, x in try b.append(.bceLoss, [x[0], x[1]]) }),
    GradCase(
      op: "bceWithLogitsLoss",
      inputs: {
        [
          FedInput(name: "z", shape: [3], values: awayFromZero(6, seed: 18)),
          FedInput(name: "t", shape: [3], values: [0, 1, 1, 0, 0.5, 1], differentiable: false),
        ]
      },
      build: { b, x in try b.append(.bceWithLogitsLoss, [x[0], x[1]]) }),
  ]
}

@Test("op gradients match central differences", arguments: GradCase.all)
func opGradientMatchesFiniteDifferences(_ gradCase: GradCase) throws {
  let report = try gradientCheck(
    batch: gradCase.batch, inputs: gradCase.inputs(), build: gradCase.build)
  #expect(report.compared > 0)
  #expect(report.failures.isEmpty, "\(report.failures.prefix(5))")
}

extension GradCase {
  static let layers: [GradCase] = [
    GradCase(
      op: "conv2d", note: "3×3, stride 1, padding 1",
      inputs: { [FedInput(name: "x", shape: [2, 4, 4], values: awayFromZero(64, seed: 20))] },
      build: { b, x in
        try b.conv2d(
          x[0], filters: 3, window: Window2D(kernel: (3, 3), padding: (1, 1)), name: "conv")
      }),
    GradCase(
      op: "conv2d", note: "2×3, stride 2×1, no bias",
      inputs: { [FedInput(name: "x", shape: [1, 5, 4], values: awayFromZero(40, seed: 21))] },
      build: { b, x in
        try b.conv2d(
          x[0], filters: 2, window: Window2D(kernel: (2, 3), stride: (2, 1)), name: "conv",
          bias: false)
      }),
    GradCase(
      op: "maxPool",
      // distinct values so no window has a tie within ±h
      inputs: {
        var random = Random(seed: 22)
        let order = random.permutation(64).map { Float($0) * 0.05 - 1.6 }
        return [FedInput(name: "x", shape: [2, 4, 4], values: order)]
      },
      build: { b, x in try b.append(.maxPool(Window2D(kernel: (2, 2), stride: (2, 2))), [x[0]]) }),
    GradCase(
      op: "avgPool",
      inputs: { [FedInput(name: "x", shape: [1, 5, 5], values: awayFromZero(50, seed: 23))] },
      build: { b, x in try b.append(.avgPool(Window2D(kernel: (3, 3), stride: (2, 2))), [x[0]]) }),
    GradCase(
      op: "batchNorm", note: "[N]", batch: 4,
      inputs: { [FedInput(name: "x", shape: [3], values: awayFromZero(12, seed: 24))] },
      build: { b, x in
        let y = try b.batchNorm(x[0], name: "bn")
        // random gamma/beta instead of ones/zeros, so their gradients are exercised
        return try b.append(
          .multiply, [y, b.parameter("s", shape: [3], initializer: .uniform(bound: 2))])
      }),
    GradCase(
      op: "batchNorm", note: "[C, H, W]", batch: 2,
      inputs: { [FedInput(name: "x", shape: [2, 2, 3], values: awayFromZero(24, seed: 25))] },
      build: { b, x in try b.batchNorm(x[0], name: "bn") }),
    GradCase(
      op: "embedding",
      inputs: {
        [FedInput(name: "ids", shape: [3], values: [1, 4, 1, 0, 2, 4], differentiable: false)]
      },
      build: { b, x in try b.embedding(x[0], vocabulary: 5, dimension: 2, name: "emb") }),
  ]
}

@Test("layer gradients match central differences", arguments: GradCase.layers)
func layerGradientMatchesFiniteDifferences(_ gradCase: GradCase) throws {
  let report = try gradientCheck(
    batch: gradCase.batch, inputs: gradCase.inputs(), build: gradCase.build)
  #expect(report.compared > 0)
  #expect(report.failures.isEmpty, "\(report.failures.prefix(5))")
}

extension GradCase {
  static let recurrent: [GradCase] =
    [Op.rnn, .lstm, .gru].map { op in
      GradCase(
        op: op.name, note: "T = 4, I = 3, H = 3", batch: 2,
        inputs: { [FedInput(name: "x", shape: [4, 3], values: awayFromZero(24, seed: 30))] },
        build: { b, x in try b.recurrent(op, x[0], units: 3, name: op.name) })
    } + [
      GradCase(
        op: "lstm", note: "last step into dense", batch: 3,
        inputs: { [FedInput(name: "x", shape: [3, 2], values: awayFromZero(18, seed: 31))] },
        build: { b, x in
          let h = try b.recurrent(.lstm, x[0], units: 4, name: "lstm")
          return try b.dense(try b.append(.lastStep, [h]), units: 2, name: "fc")
        })
    ]
}

@Test("recurrent gradients (full BPTT) match central differences", arguments: GradCase.recurrent)
func recurrentGradientMatchesFiniteDifferences(_ gradCase: GradCase) throws {
  let report = try gradientCheck(
    batch: gradCase.batch, inputs: gradCase.inputs(), build: gradCase.build)
  #expect(report.compared > 0)
  #expect(report.failures.isEmpty, "\(report.failures.prefix(5))")
}
