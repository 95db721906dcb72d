// GraphPrinterTests: the text dump of a small model with its backward pass (a snapshot kept
// inline), the DOT dump's structure, and GraphVerifier's reports.

import NetLangTensor
import Testing

@testable import NetLangGraph

/// x [3] → dense 4 → relu → dense 2 → mse against t, with the backward pass.
func smallRegression() throws -> Graph {
  var b = GraphBuilder()
  let x = b.input("x", shape: [3])
  let t = b.input("t", shape: [2])
  let h = try b.append(.relu, [try b.dense(x, units: 4, name: "fc1")])
  let y = try b.dense(h, units: 2, name: "fc2", bias: false)
  let loss = try b.append(.mseLoss, [y, t])
  b.setOutput("y", y)
  b.setOutput("loss", loss)
  var graph = b.graph
  try Autodiff.appendBackward(to: &graph, loss: loss)
  return graph
}

@Test("the text dump lists parameters, forward and backward nodes, outputs and gradients")
func textDump() throws {
  let expected = """
    param p0 "fc1.weight" [4, 3] uniform(0.5773502691896258)
    param p1 "fc1.bias" [4] uniform(0.5773502691896258)
    param p2 "fc2.weight" [2, 4] uniform(0.5)
    %0 = input("x") : [B, 3]
    %1 = input("t") : [B, 2]
    %2 = parameter(p0) : [4, 3]
    %3 = parameter(p1) : [4]
    %4 = dense(%0, %2, %3) : [B, 4]
    %5 = relu(%4) : [B, 4]
    %6 = parameter(p2) : [2, 4]
    %7 = dense(%5, %6) : [B, 2]
    %8 = mseLoss(%7, %1) : []
    backward:
    %9 = constant(1.0) : []
    %10 = mseLossGrad(%7, %1, %9) : [B, 2]
    %11 = denseInputGrad(%10, %6) : [B, 4]
    %12 = denseWeightGrad(%10, %5) : [2, 4]
    %13 = reluGrad(%4, %11) : [B, 4]
    %14 = denseWeightGrad(%13, %0) : [4, 3]
    %15 = sumTo(%13) : [4]
    output "y" = %7
    output "loss" = %8
    gradient "fc1.weight" = %14
    gradient "fc1.bias" = %15
    gradient "fc2.weight" = %12

    """
  let text = GraphPrinter.text(try smallRegression())
  #expect(text == expected, "\n\(text)")
}

@Test("the DOT dump has one node per value, one edge per input, dashed backward nodes")
func dotDump() throws {
  let graph = try smallRegression()
  let dot = GraphPrinter.dot(graph)
  let lines = dot.split(separator: "\n")
  #expect(lines.first == "digraph netlang {")
  #expect(lines.last == "}")
  let nodeLines = lines.filter { $0.hasPrefix("  n") && $0.contains("[label=") }
  #expect(nodeLines.count == graph.nodes.count)
  let edges = lines.filter { $0.contains("->") }
  #expect(edges.count == graph.nodes.reduce(0) { $0 + $1.inputs.count } + graph.outputOrder.count)
  #expect(nodeLines.filter { $0.contains("dashed") }.count == graph.nodes.count - 9)
  #expect(dot.contains("fc1.weight"))
}

@Test("the verifier accepts built graphs and reports a corrupted shape")
func verifier() throws {
  var graph = try smallRegression()
  #expect(GraphVerifier.verify(graph).isEmpty)
  graph.nodes[5].shape = [5]
  let problems = GraphVerifier.verify(graph)
  #expect(problems.contains { $0.node == NodeID(5) })
  #expect(!problems.isEmpty)
}

@Test("the builder rejects ill-shaped requests with a GraphError")
func builderErrors() throws {
  var b = GraphBuilder()
  let x = b.input("x", shape: [3])
  let y = b.input("y", shape: [4])
  #expect(throws: GraphError.self) { try b.append(.add, [x, y]) }
  #expect(throws: GraphError.self) { try b.reshape(x, to: [4]) }
  #expect(throws: GraphError.arity(op: "relu", expected: "1", got: 2)) {
    try b.append(.relu, [x, y])
  }
  #expect(throws: GraphError.invalidInput(NodeID(9))) { try b.append(.relu, [NodeID(9)]) }
  let image = b.input("image", shape: [1, 2, 2])
  #expect(throws: GraphError.self) {
    try b.conv2d(image, filters: 1, window: Window2D(kernel: (3, 3)), name: "c")
  }
}

@Test("losses accept targets with the same element count, labels with one per row")
func lossShapeRules() throws {
  var b = GraphBuilder()
  let y = b.input("y", shape: [1])
  let t = b.input("t", shape: [])
  let logits = b.input("z", shape: [3, 4])
  let labels = b.input("l", shape: [3, 1])
  let wrong = b.input("w", shape: [4])
  _ = try b.mse(y, t)
  _ = try b.crossEntropy(logits, labels)
  #expect(throws: GraphError.self) { try b.crossEntropy(logits, wrong) }
  #expect(throws: GraphError.self) { try b.mse(y, wrong) }
}
