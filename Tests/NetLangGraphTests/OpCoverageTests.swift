// OpCoverageTests: every op has a gradient case, a forward test, and every backward-only op
// is produced by some gradient case. Adding a case to `Op` breaks `kindIndex` below until the
// sample list, and then these tests, are brought up to date.

import NetLangTensor
import Testing

@testable import NetLangGraph

private let window = Window2D(kernel: (2, 2))

/// One sample of every op case, in declaration order.
private let opSamples: [Op] = [
  .input(name: "x"), .parameter(ParameterID(0)), .constant(1), .dense, .add, .subtract,
  .multiply, .divide, .scale(2), .relu, .leakyRelu(slope: 0.1), .tanh, .sigmoid, .softmax,
  .reshape, .concat(axis: 0), .dropout(rate: 0.5), .lastStep, .conv2d(window), .maxPool(window),
  .avgPool(window), .batchNorm(momentum: 0.1, epsilon: 1e-5), .embedding, .rnn, .lstm, .gru,
  .mseLoss, .softmaxCrossEntropy, .bceLoss, .bceWithLogitsLoss, .accuracy, .sumTo, .broadcastTo,
  .denseInputGrad, .denseWeightGrad, .reluGrad, .leakyReluGrad(slope: 0.1), .tanhGrad,
  .sigmoidGrad, .softmaxGrad, .slice(axis: 0, start: 0, length: 1), .dropoutGrad, .lastStepGrad,
  .conv2dBackward(window), .maxPoolGrad(window), .avgPoolGrad(window), .batchNormBackward,
  .embeddingGrad, .rnnBackward, .lstmBackward, .gruBackward, .gradientPart(index: 0),
  .mseLossGrad, .softmaxCrossEntropyGrad, .bceLossGrad, .bceWithLogitsLossGrad,
]

/// The position of `op`'s case in `opSamples`; exhaustive, so a new case fails to compile.
private func kindIndex(_ op: Op) -> Int {
  switch op {
  case .input: 0
  case .parameter: 1
  case .constant: 2
  case .dense: 3
  case .add: 4
  case .subtract: 5
  case .multiply: 6
  case .divide: 7
  case .scale: 8
  case .relu: 9
  case .leakyRelu: 10
  case .tanh: 11
  case .sigmoid: 12
  case .softmax: 13
  case .reshape: 14
  case .concat: 15
  case .dropout: 16
  case .lastStep: 17
  case .conv2d: 18
  case .maxPool: 19
  case .avgPool: 20
  case .batchNorm: 21
  case .embedding: 22
  case .rnn: 23
  case .lstm: 24
  case .gru: 25
  case .mseLoss: 26
  case .softmaxCrossEntropy: 27
  case .bceLoss: 28
  case .bceWithLogitsLoss: 29
  case .accuracy: 30
  case .sumTo: 31
  case .broadcastTo: 32
  case .denseInputGrad: 33
  case .denseWeightGrad: 34
  case .reluGrad: 35
  case .leakyReluGrad: 36
  case .tanhGrad: 37
  case .sigmoidGrad: 38
  case .softmaxGrad: 39
  case .slice: 40
  case .dropoutGrad: 41
  case .lastStepGrad: 42
  case .conv2dBackward: 43
  case .maxPoolGrad: 44
  case .avgPoolGrad: 45
  case .batchNormBackward: 46
  case .embeddingGrad: 47
  case .rnnBackward: 48
  case .lstmBackward: 49
  case .gruBackward: 50
  case .gradientPart: 51
  case .mseLossGrad: 52
  case .softmaxCrossEntropyGrad: 53
  case .bceLossGrad: 54
  case .bceWithLogitsLossGrad: 55
  }
}

/// Ops checked against hand-computed values in ForwardTests / LayerForwardTests (or PyTorch).
private let forwardTested: Set<String> = [
  "input", "parameter", "constant", "dense", "add", "subtract", "multiply", "divide", "scale",
  "relu", "leakyRelu", "tanh", "sigmoid", "softmax", "reshape", "concat", "dropout", "lastStep",
  "conv2d", "maxPool", "avgPool", "batchNorm", "embedding", "rnn", "lstm", "gru", "mseLoss",
  "softmaxCrossEntropy", "bceLoss", "bceWithLogitsLoss", "accuracy", "sumTo", "broadcastTo",
]

private let allGradCases = GradCase.all + GradCase.layers + GradCase.recurrent

@Test("the op sample list has exactly one sample of every case")
func opSamplesAreComplete() {
  #expect(opSamples.map(kindIndex) == Array(opSamples.indices))
}

@Test("every differentiable op has a gradient case and every op a forward test")
func everyOpIsCovered() {
  let gradientCases = Set(allGradCases.map(\.op))
  let leaves: Set<String> = ["input", "parameter", "constant", "accuracy"]
  for op in opSamples where !op.isBackwardOnly {
    #expect(
      leaves.contains(op.name) || gradientCases.contains(op.name), "no gradient case for \(op.name)"
    )
    #expect(forwardTested.contains(op.name), "no forward test for \(op.name)")
  }
}

@Test("every backward-only op is produced and so checked by some gradient case")
func everyBackwardOpIsExercised() throws {
  var produced: Set<String> = []
  for gradCase in allGradCases {
    var builder = GraphBuilder()
    let inputs = gradCase.inputs()
    let ids = inputs.map { builder.input($0.name, shape: $0.shape) }
    let output = try gradCase.build(&builder, ids)
    let loss = try builder.append(.sumTo, [output], declared: ValueType([], batched: false))
    var graph = builder.graph
    let wrt = zip(inputs, ids).filter { $0.0.differentiable }.map(\.1)
    try Autodiff.appendBackward(to: &graph, loss: loss, withRespectTo: wrt)
    for node in graph.nodes { produced.insert(node.op.name) }
  }
  for op in opSamples where op.isBackwardOnly {
    #expect(produced.contains(op.name), "\(op.name) is never produced by a gradient case")
  }
}
