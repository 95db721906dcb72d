// ReferenceEvaluatorTests: the double-precision ReferenceEvaluator against the Float executor
// (forward values of every forward op, within float tolerance) and the executor's backward
// pass against central differences computed in Double by the evaluator.

import NetLangTensor
import Testing

@testable import NetLangGraph

/// True for the ops the reference evaluator computes; exhaustive, so a new op fails to
/// compile here until it is classified (and, if forward, given a case below).
private func isReferenceForward(_ op: Op) -> Bool {
  switch op {
  case .input, .parameter, .constant, .dense, .add, .subtract, .multiply, .divide, .scale, .relu,
    .leakyRelu, .tanh, .sigmoid, .softmax, .reshape, .concat, .dropout, .lastStep, .conv2d,
    .maxPool, .avgPool, .batchNorm, .embedding, .rnn, .lstm, .gru, .mseLoss,
    .softmaxCrossEntropy, .bceLoss, .bceWithLogitsLoss, .accuracy, .sumTo, .broadcastTo:
    true
  case .denseInputGrad, .denseWeightGrad, .reluGrad, .leakyReluGrad, .tanhGrad, .sigmoidGrad,
    .softmaxGrad, .slice, .dropoutGrad, .lastStepGrad, .conv2dBackward, .maxPoolGrad,
    .avgPoolGrad, .batchNormBackward, .embeddingGrad, .rnnBackward, .lstmBackward, .gruBackward,
    .gradientPart, .mseLossGrad, .softmaxCrossEntropyGrad, .bceLossGrad, .bceWithLogitsLossGrad:
    false
  }
}

/// Forward-only cases beyond the gradient cases: metrics, constants, padding, odd shapes.
private let extraForwardCases: [GradCase] = [
  GradCase(
    op: "accuracy", note: "[C] logits",
    inputs: {
      [
        FedInput(name: "z", shape: [3], values: [0.1, 0.9, 0.2, 0.5, 0.5, 0.1]),
        FedInput(name: "label", shape: [], values: [1, 2], differentiable: false),
      ]
    },
    build: { b, x in try b.append(.accuracy, [x[0], x[1]]) }),
  GradCase(
    op: "accuracy", note: "one score column",
    inputs: {
      [
        FedInput(name: "p", shape: [1], values: [0.7, 0.2]),
        FedInput(name: "t", shape: [1], values: [1, 1], differentiable: false),
      ]
    },
    build: { b, x in try b.append(.accuracy, [x[0], x[1]]) }),
  GradCase(
    op: "constant",
    inputs: { [FedInput(name: "x", shape: [3], values: awayFromZero(6, seed: 40))] },
    build: { b, x in
      let c = try b.append(.constant(1.5), [], declared: ValueType([], batched: false))
      return try b.append(.multiply, [x[0], c])
    }),
  GradCase(
    op: "maxPool", note: "padding 1, stride 2",
    inputs: { [FedInput(name: "x", shape: [2, 5, 5], values: awayFromZero(100, seed: 41))] },
    build: { b, x in
      try b.append(.maxPool(Window2D(kernel: (3, 3), stride: (2, 2), padding: (1, 1))), [x[0]])
    }),
  GradCase(
    op: "avgPool", note: "padding 1 counts as zeros",
    inputs: { [FedInput(name: "x", shape: [1, 4, 4], values: awayFromZero(32, seed: 42))] },
    build: { b, x in
      try b.append(.avgPool(Window2D(kernel: (3, 3), stride: (1, 1), padding: (1, 1))), [x[0]])
    }),
  GradCase(
    op: "dropout", note: "rate 0.3 on [2, 5]",
    inputs: { [FedInput(name: "x", shape: [2, 5], values: awayFromZero(20, seed: 43))] },
    build: { b, x in try b.append(.dropout(rate: 0.3), [x[0]]) }),
]

/// Composite graphs, one per op family, ending in a loss, for the finite-difference checks.
private let familyCases: [GradCase] = [
  GradCase(
    op: "dense", note: "mlp: dense, relu, dense, softmaxCrossEntropy", batch: 3,
    inputs: {
      [
        FedInput(name: "x", shape: [4], values: awayFromZero(12, seed: 50)),
        FedInput(name: "y", shape: [], values: [2, 0, 1], differentiable: false),
      ]
    },
    build: { b, x in
      let h = try b.append(.relu, [try b.dense(x[0], units: 5, name: "fc1")])
      return try b.append(.softmaxCrossEntropy, [try b.dense(h, units: 3, name: "fc2"), x[1]])
    }),
  GradCase(
    op: "conv2d", note: "conv, relu, maxPool, avgPool, flatten, dense, mse", batch: 2,
    inputs: {
      [
        FedInput(name: "x", shape: [2, 6, 6], values: awayFromZero(144, seed: 51)),
        FedInput(name: "t", shape: [2], values: awayFromZero(4, seed: 52), differentiable: false),
      ]
    },
    build: { b, x in
      let c = try b.conv2d(
        x[0], filters: 3, window: Window2D(kernel: (3, 3), padding: (1, 1)), name: "conv")
      let p = try b.append(.maxPool(Window2D(kernel: (2, 2), stride: (2, 2))), [
        try b.append(.relu, [c])
      ])
      let a = try b.append(.avgPool(Window2D(kernel: (2, 2), stride: (1, 1))), [p])
      let flat = try b.reshape(a, to: [12])
      return try b.append(.mseLoss, [try b.dense(flat, units: 2, name: "fc"), x[1]])
    }),
  GradCase(
    op: "batchNorm", note: "dense, batchNorm, leakyRelu, dropout, bceWithLogits", batch: 4,
    inputs: {
      [
        FedInput(name: "x", shape: [3], values: awayFromZero(12, seed: 53)),
        FedInput(
          name: "t", shape: [1], values: [1, 0, 0, 1], differentiable: false),
      ]
    },
    build: { b, x in
      let h = try b.batchNorm(try b.dense(x[0], units: 4, name: "fc1"), name: "bn")
      let a = try b.append(.dropout(rate: 0.25), [try b.append(.leakyRelu(slope: 0.1), [h])])
      return try b.append(.bceWithLogitsLoss, [try b.dense(a, units: 1, name: "fc2"), x[1]])
    }),
  GradCase(
    op: "batchNorm", note: "[C, H, W] into sigmoid and bceLoss", batch: 2,
    inputs: {
      [
        FedInput(name: "x", shape: [2, 2, 2], values: awayFromZero(16, seed: 54)),
        FedInput(
          name: "t", shape: [2, 2, 2], values: uniformValues(16, 0, 1, seed: 55),
          differentiable: false),
      ]
    },
    build: { b, x in
      let h = try b.batchNorm(x[0], name: "bn")
      return try b.append(.bceLoss, [try b.append(.sigmoid, [h]), x[1]])
    }),
  GradCase(
    op: "lstm", note: "embedding, lstm, dense per step, softmaxCrossEntropy [T, C]", batch: 2,
    inputs: {
      [
        FedInput(name: "ids", shape: [4], values: [1, 3, 0, 2, 2, 2, 4, 1], differentiable: false),
        FedInput(
          name: "next", shape: [4], values: [3, 0, 2, 1, 2, 4, 1, 0], differentiable: false),
      ]
    },
    build: { b, x in
      let e = try b.embedding(x[0], vocabulary: 5, dimension: 3, name: "emb")
      let h = try b.recurrent(.lstm, e, units: 4, name: "lstm")
      return try b.append(.softmaxCrossEntropy, [try b.dense(h, units: 5, name: "fc"), x[1]])
    }),
  GradCase(
    op: "gru", note: "gru, lastStep, tanh, mse", batch: 2,
    inputs: {
      [
        FedInput(name: "x", shape: [3, 2], values: awayFromZero(12, seed: 56)),
        FedInput(name: "t", shape: [3], values: awayFromZero(6, seed: 57), differentiable: false),
      ]
    },
    build: { b, x in
      let h = try b.append(.lastStep, [try b.recurrent(.gru, x[0], units: 3, name: "gru")])
      return try b.append(.mseLoss, [try b.append(.tanh, [h]), x[1]])
    }),
  GradCase(
    op: "rnn", note: "rnn, concat, softmax, sumTo", batch: 2,
    inputs: { [FedInput(name: "x", shape: [3, 2], values: awayFromZero(12, seed: 58))] },
    build: { b, x in
      let h = try b.recurrent(.rnn, x[0], units: 3, name: "rnn")
      let both = try b.append(.concat(axis: 1), [h, x[0]])
      let s = try b.append(.softmax, [both])
      let w = b.parameter("w", shape: [5], initializer: .uniform(bound: 1))
      let weighted = try b.append(.multiply, [s, w])
      return try b.append(.sumTo, [weighted], declared: ValueType([], batched: false))
    }),
]

/// A built case: its graph (with `output`), the executor after a forward pass with fixed
/// dropout masks, the evaluator's inputs and parameters, and the input gradient nodes.
private struct Prepared {
  var graph: Graph
  var output: NodeID
  var executor: Executor
  var inputs: [String: [Double]]
  var parameters: [ParameterID: [Double]]
  var masks: [NodeID: [Double]]
  /// Gradient node of each differentiable input, by name (backward graphs only).
  var inputGradients: [String: NodeID] = [:]
}

/// Builds `gradCase`; with `backward`, the output becomes the loss Σ(out ⊙ R) for a fixed
/// random R (so every element gets its own weight) and the backward pass is appended.
private func prepare(_ gradCase: GradCase, training: Bool, backward: Bool = false) throws
  -> Prepared
{
  var builder = GraphBuilder()
  var fed = gradCase.inputs()
  let ids = fed.map { builder.input($0.name, shape: $0.shape) }
  var output = try gradCase.build(&builder, ids)
  var inputGradients: [NodeID: NodeID] = [:]
  let node = builder.graph[output]
  if backward, node.shape != [] || node.batched {
    let weights = builder.input("R", shape: node.shape)
    fed.append(
      FedInput(
        name: "R", shape: node.shape,
        values: uniformValues(node.shape.elementCount * gradCase.batch, -1, 1, seed: 8),
        differentiable: false))
    var weighted = weights
    if !node.batched {
      weighted = try builder.append(
        .sumTo, [weights], declared: ValueType(node.shape, batched: false))
    }
    let product = try builder.append(.multiply, [output, weighted])
    output = try builder.append(.sumTo, [product], declared: ValueType([], batched: false))
  }
  builder.setOutput("out", output)
  var graph = builder.graph
  if backward {
    let differentiable = zip(fed, ids).filter { $0.0.differentiable }.map(\.1)
    inputGradients = try Autodiff.appendBackward(
      to: &graph, loss: output, withRespectTo: differentiable)
  }
  let executor = Executor(
    graph: graph, maxBatch: gradCase.batch, dropoutSeed: 5, keep: Array(inputGradients.values))
  var random = Random(seed: 11)
  executor.initializeParameters(random: &random)
  for (index, parameter) in graph.parameters.enumerated() where !parameter.trainable {
    // non-trivial running statistics so evaluation mode is exercised
    let values = executor.parameterValue(ParameterID(index))
    for i in values.indices { values[i] = parameter.name.hasSuffix("var") ? 0.5 + Float(i) : 0.1 }
  }
  for input in fed { try executor.setInput(input.name, input.values) }
  let parameters = executor.referenceParameters()  // before the pass moves running stats
  try executor.forward(training: training)
  var gradientsByName: [String: NodeID] = [:]
  for (input, gradient) in inputGradients {
    if case .input(let name) = graph[input].op { gradientsByName[name] = gradient }
  }
  return Prepared(
    graph: graph, output: output, executor: executor, inputs: executor.referenceInputs(),
    parameters: parameters, masks: executor.dropoutMasks(), inputGradients: gradientsByName)
}

private let forwardCases = GradCase.all + GradCase.layers + GradCase.recurrent + extraForwardCases

@Test("every forward op is evaluated and compared by some case")
func referenceCoversEveryForwardOp() throws {
  var covered: Set<String> = []
  for gradCase in forwardCases + familyCases {
    let prepared = try prepare(gradCase, training: false)
    for node in prepared.graph.nodes { covered.insert(node.op.name) }
  }
  let forwardOps: [Op] = [
    .input(name: "x"), .parameter(ParameterID(0)), .constant(1), .dense, .add, .subtract,
    .multiply, .divide, .scale(2), .relu, .leakyRelu(slope: 0.1), .tanh, .sigmoid, .softmax,
    .reshape, .concat(axis: 0), .dropout(rate: 0.5), .lastStep, .conv2d(Window2D(kernel: (1, 1))),
    .maxPool(Window2D(kernel: (1, 1))), .avgPool(Window2D(kernel: (1, 1))),
    .batchNorm(momentum: 0.1, epsilon: 1e-5), .embedding, .rnn, .lstm, .gru, .mseLoss,
    .softmaxCrossEntropy, .bceLoss, .bceWithLogitsLoss, .accuracy, .sumTo, .broadcastTo,
  ]
  for op in forwardOps {
    #expect(isReferenceForward(op))
    #expect(covered.contains(op.name), "no reference case for \(op.name)")
  }
}

@Test(
  "reference forward values equal the executor's (training and evaluation)",
  arguments: forwardCases + familyCases)
func referenceMatchesExecutor(_ gradCase: GradCase) throws {
  for training in [true, false] {
    let prepared = try prepare(gradCase, training: training)
    let expected = Array(prepared.executor.value(of: prepared.output)).map(Double.init)
    let evaluator = ReferenceEvaluator(graph: prepared.graph)
    let actual = try evaluator.evaluate(
      node: prepared.output, batch: gradCase.batch, inputs: prepared.inputs,
      parameters: prepared.parameters, training: training, dropoutMasks: prepared.masks)
    #expect(actual.count == expected.count, "\(gradCase) training \(training)")
    for (a, e) in zip(actual, expected) {
      #expect(abs(a - e) <= 1e-5 * max(1, abs(e)), "\(gradCase) training \(training): \(a) vs \(e)")
    }
  }
}

@Test("drawDropoutMasks draws the executor's masks")
func referenceDropoutMasksMatchExecutor() throws {
  let gradCase = familyCases[2]
  let prepared = try prepare(gradCase, training: true)
  var random = Random(seed: 5)
  let drawn = ReferenceEvaluator(graph: prepared.graph).drawDropoutMasks(
    batch: gradCase.batch, random: &random)
  #expect(!drawn.isEmpty)
  #expect(drawn == prepared.masks)
}

@Test("invalid labels, missing masks and backward-only targets are errors")
func referenceErrors() throws {
  var builder = GraphBuilder()
  let z = builder.input("z", shape: [3])
  let label = builder.input("label", shape: [])
  let loss = try builder.append(.softmaxCrossEntropy, [z, label])
  let dropped = try builder.append(.dropout(rate: 0.5), [z])
  var graph = builder.graph
  _ = try Autodiff.appendBackward(to: &graph, loss: loss, withRespectTo: [z])
  let evaluator = ReferenceEvaluator(graph: graph)
  let inputs: [String: [Double]] = ["z": [1, 2, 3], "label": [3]]
  #expect(throws: ReferenceError.invalidIndex(node: loss, value: 3)) {
    try evaluator.evaluate(node: loss, batch: 1, inputs: inputs, parameters: [:], training: false)
  }
  #expect(throws: ReferenceError.missingDropoutMask(dropped)) {
    try evaluator.evaluate(node: dropped, batch: 1, inputs: inputs, parameters: [:], training: true)
  }
  let gradient = try #require(graph.nodes.firstIndex { $0.op.isBackwardOnly }.map(NodeID.init))
  #expect(throws: ReferenceError.backwardOnly(node: gradient, op: graph[gradient].op.name)) {
    try evaluator.evaluate(
      node: gradient, batch: 1, inputs: ["z": [1, 2, 3], "label": [2]], parameters: [:],
      training: true)
  }
}

@Test(
  "executor gradients match double-precision central differences of the reference",
  arguments: GradCase.all + GradCase.layers + GradCase.recurrent + familyCases)
func referenceFiniteDifferencesMatchBackward(_ gradCase: GradCase) throws {
  let prepared = try prepare(gradCase, training: true, backward: true)
  let executor = prepared.executor
  try executor.backward()
  let evaluator = ReferenceEvaluator(graph: prepared.graph)
  var parameters = executor.referenceParameters()
  let base = try evaluator.evaluate(
    nodes: [prepared.output], batch: gradCase.batch, inputs: prepared.inputs,
    parameters: parameters, training: true, dropoutMasks: prepared.masks)
  var compared = 0
  for (index, parameter) in prepared.graph.parameters.enumerated() where parameter.trainable {
    let id = ParameterID(index)
    guard let gradient = executor.parameterGradient(id).map(Array.init) else {
      Issue.record("\(gradCase): no gradient for \(parameter.name)")
      continue
    }
    for element in gradient.indices {
      guard let original = parameters[id]?[element] else { continue }
      let h = 1e-5 * max(1, abs(original))
      func loss(_ value: Double) throws -> ReferenceResult {
        parameters[id]?[element] = value
        return try evaluator.evaluate(
          nodes: [prepared.output], batch: gradCase.batch, inputs: prepared.inputs,
          parameters: parameters, training: true, dropoutMasks: prepared.masks,
          reusing: base, changed: [id])
      }
      let plus = try loss(original + h)
      let minus = try loss(original - h)
      parameters[id]?[element] = original
      guard plus.kinkSignature == base.kinkSignature, minus.kinkSignature == base.kinkSignature
      else { continue }
      let numeric =
        ((plus.values[prepared.output]?[0] ?? .nan) - (minus.values[prepared.output]?[0] ?? .nan))
        / (2 * h)
      let analytic = Double(gradient[element])
      compared += 1
      #expect(
        abs(numeric - analytic) <= 1e-3 * max(abs(numeric), abs(analytic)) + 1e-4,
        "\(gradCase) \(parameter.name)[\(element)]: analytic \(analytic), numeric \(numeric)")
    }
  }
  var inputs = prepared.inputs
  for (name, gradientNode) in prepared.inputGradients {
    let gradient = Array(executor.value(of: gradientNode))
    for element in gradient.indices {
      guard let original = inputs[name]?[element] else { continue }
      let h = 1e-5 * max(1, abs(original))
      func loss(_ value: Double) throws -> ReferenceResult {
        inputs[name]?[element] = value
        return try evaluator.evaluate(
          nodes: [prepared.output], batch: gradCase.batch, inputs: inputs,
          parameters: parameters, training: true, dropoutMasks: prepared.masks)
      }
      let plus = try loss(original + h)
      let minus = try loss(original - h)
      inputs[name]?[element] = original
      guard plus.kinkSignature == base.kinkSignature, minus.kinkSignature == base.kinkSignature
      else { continue }
      let numeric =
        ((plus.values[prepared.output]?[0] ?? .nan) - (minus.values[prepared.output]?[0] ?? .nan))
        / (2 * h)
      let analytic = Double(gradient[element])
      compared += 1
      #expect(
        abs(numeric - analytic) <= 1e-3 * max(abs(numeric), abs(analytic)) + 1e-4,
        "\(gradCase) input \(name)[\(element)]: analytic \(analytic), numeric \(numeric)")
    }
  }
  #expect(compared > 0, "\(gradCase): nothing compared")
}

@Test("reusing a result gives the values of a full evaluation")
func referenceReuseEqualsFullEvaluation() throws {
  let gradCase = familyCases[4]
  let prepared = try prepare(gradCase, training: true)
  let evaluator = ReferenceEvaluator(graph: prepared.graph)
  var parameters = prepared.parameters
  let base = try evaluator.evaluate(
    nodes: [prepared.output], batch: gradCase.batch, inputs: prepared.inputs,
    parameters: parameters, training: true)
  for (index, parameter) in prepared.graph.parameters.enumerated() {
    let id = ParameterID(index)
    parameters[id]?[0] += 0.25
    let full = try evaluator.evaluate(
      nodes: [prepared.output], batch: gradCase.batch, inputs: prepared.inputs,
      parameters: parameters, training: true)
    let reused = try evaluator.evaluate(
      nodes: [prepared.output], batch: gradCase.batch, inputs: prepared.inputs,
      parameters: parameters, training: true, reusing: base, changed: [id])
    #expect(full.values == reused.values, "\(parameter.name)")
    #expect(full.values != base.values, "\(parameter.name) changed nothing")
    #expect(full.kinkSignature == reused.kinkSignature)
    parameters[id]?[0] -= 0.25
  }
}

@Test("the kink signature changes exactly when a relu input crosses zero")
func referenceKinkSignature() throws {
  var builder = GraphBuilder()
  let x = builder.input("x", shape: [2])
  let y = try builder.append(.relu, [x])
  let evaluator = ReferenceEvaluator(graph: builder.graph)
  func signature(_ values: [Double]) throws -> UInt64 {
    try evaluator.evaluate(
      nodes: [y], batch: 1, inputs: ["x": values], parameters: [:], training: false
    ).kinkSignature
  }
  #expect(try signature([0.5, -1]) == signature([0.25, -2]))
  #expect(try signature([0.5, -1]) != signature([-0.5, -1]))
  #expect(try signature([0.5, -1]) != signature([0.5, 1]))
}
