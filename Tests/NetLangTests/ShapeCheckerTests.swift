// ShapeCheckerTests: the shape the checker infers through every built-in of grammar.md
// section 5, against shapes computed by hand, and the errors for shapes that do not fit.

import NetLangTensor
import Testing

@testable import NetLang

/// The output shape of `expr` in a model with `input x: <input>`, or the error codes.
func outputShape(_ expr: String, input: String) -> String {
  let result = check(
    """
    model M {
        input x: \(input)
        output y = \(expr)
    }
    """)
  let errors = result.diagnostics.filter { $0.severity == .error }
  if !errors.isEmpty { return errors.map { "E\($0.code)" }.joined(separator: " ") }
  guard let model = result.program?.model(named: "M"), let output = model.outputs.first else {
    return "no model"
  }
  return model[output.node].shape.description
}

@Test(
  "shape inference per built-in",
  arguments: [
    ("relu(x)", "[3, 4]", "[3, 4]"),
    ("tanh(x)", "[5]", "[5]"),
    ("sigmoid(x)", "[5]", "[5]"),
    ("logistic(x)", "[2, 2]", "[2, 2]"),
    ("leaky_relu(x, slope: 0.2)", "[7]", "[7]"),
    ("softmax(x)", "[4, 10]", "[4, 10]"),
    ("flatten(x)", "[3, 4, 5]", "[60]"),
    ("reshape(x, [4, -1])", "[3, 4, 5]", "[4, 15]"),
    ("reshape(x, [1, 28, 28])", "[784]", "[1, 28, 28]"),
    ("concat(x, x)", "[3, 4]", "[3, 8]"),
    ("concat(x, x, axis: 0)", "[3, 4]", "[6, 4]"),
    ("concat(x, flatten(x), axis: -1)", "[6]", "[12]"),
    ("dropout(x, 0.5)", "[9]", "[9]"),
    ("last(x)", "[12, 30]", "[30]"),
    ("dense(x, 10)", "[784]", "[10]"),
    ("dense(x, 10)", "[12, 30]", "[12, 10]"),
    ("conv2d(x, 6, 5)", "[1, 28, 28]", "[6, 24, 24]"),
    ("conv2d(x, 6, 5, padding: 2)", "[1, 28, 28]", "[6, 28, 28]"),
    ("conv2d(x, 8, 3, stride: 2)", "[3, 32, 32]", "[8, 15, 15]"),
    ("conv2d(x, 4, [3, 5], stride: [1, 2], padding: [1, 0])", "[2, 10, 11]", "[4, 10, 4]"),
    ("maxpool(x, 2)", "[6, 28, 28]", "[6, 14, 14]"),
    ("maxpool(x, 3, stride: 2)", "[6, 7, 7]", "[6, 3, 3]"),
    ("avgpool(x, 2)", "[6, 5, 5]", "[6, 2, 2]"),
    ("batchnorm(x)", "[20]", "[20]"),
    ("batchnorm(x)", "[3, 8, 8]", "[3, 8, 8]"),
    ("embedding(x, 65, 16)", "[64]", "[64, 16]"),
    ("embedding(x, 65, 16)", "[]", "[16]"),
    ("rnn(x, 20)", "[10, 5]", "[10, 20]"),
    ("lstm(x, 32)", "[10, 5]", "[10, 32]"),
    ("gru(x, 8)", "[7, 3]", "[7, 8]"),
    ("x + x", "[3]", "[3]"),
    ("0.5 * x", "[3, 4]", "[3, 4]"),
    ("x / 2", "[3]", "[3]"),
    ("-x", "[3]", "[3]"),
    ("x - dense(x, 1)", "[4, 5]", "[4, 5]"),
    ("x * reshape(x, [3, 1])", "[3]", "[3, 3]"),
  ])
func shapeInference(expr: String, input: String, expected: String) {
  #expect(outputShape(expr, input: input) == expected, "\(expr) on \(input)")
}

@Test(
  "shape errors have their code",
  arguments: [
    ("x + dense(x, 3)", "[4]", "E0301"),
    ("conv2d(x, 6, 5)", "[784]", "E0302"),
    ("conv2d(x, 6, 7)", "[1, 5, 5]", "E0303"),
    ("maxpool(x, 4)", "[1, 3, 3]", "E0303"),
    ("lstm(x, 4)", "[10]", "E0302"),
    ("last(x)", "[3, 4, 5]", "E0302"),
    ("batchnorm(x)", "[3, 4]", "E0302"),
    ("concat(x, dense(x, 2), axis: 0)", "[3, 4]", "E0304"),
    ("reshape(x, [7])", "[3, 4]", "E0305"),
    ("reshape(x, [-1, -1])", "[3, 4]", "E0305"),
    ("concat(x, x, axis: 2)", "[3, 4]", "E0306"),
    ("softmax(x)", "[]", "E0302"),
    ("dense(x, 100000)", "[100000]", "E0307"),
    ("dense(x, 100000) * reshape(dense(x, 100000), [100000, 1])", "[4]", "E0307"),
  ])
func shapeErrors(expr: String, input: String, code: String) {
  #expect(outputShape(expr, input: input) == code, "\(expr) on \(input)")
}

@Test("a shape mismatch names both shapes, notes where each side was bound and suggests dense")
func shapeMismatchMessage() {
  let result = check(
    """
    model M {
        input x: [10]
        skip = dense(x, 84)
        h = dense(x, 120)
        output y = h + skip
    }
    """)
  #expect(codes(result) == ["E0301 5:18"])
  let diagnostic = result.diagnostics[0]
  #expect(diagnostic.message == "cannot add tensors of shapes [120] and [84]")
  #expect(diagnostic.highlights.count == 2)
  #expect(
    diagnostic.notes.map(\.message) == [
      "'h' has shape [120] (from main.net:4:5)",
      "'skip' has shape [84] (from main.net:3:5)",
      "project one side to the other's size, e.g. dense(skip, 120)",
    ])
}

@Test("a LeNet-like model checks clean with the right shapes, layer names and parameter count")
func lenet() {
  let result = check(
    """
    let classes = 10
    data mnist = idx("train-images", labels: "train-labels", scale: 1 / 255)

    block conv_pool(x, filters, padding = 0) {
        return maxpool(relu(conv2d(x, filters, 5, padding: padding)), 2)
    }

    model LeNet {
        input image: [1, 28, 28]
        c1 = conv_pool(image, 6, padding: 2)
        c2 = conv_pool(c1, 16)
        f = flatten(c2)
        fc1 = relu(dense(f, 120))
        fc2 = relu(dense(fc1, 84))
        output logits = dense(fc2, classes)
    }

    train LeNet on mnist {
        loss = cross_entropy(logits, label)
        optimizer = adam(lr: 0.001)
        epochs = 2
    }
    evaluate LeNet on mnist {}
    """)
  #expect(result.diagnostics.isEmpty, "\(rendered(result))")
  #expect(
    nodeSummary(result, model: "LeNet") == [
      "input [1, 28, 28]", "conv2d [6, 28, 28] c1.conv2d", "relu [6, 28, 28]",
      "maxpool [6, 14, 14]",
      "conv2d [16, 10, 10] c2.conv2d", "relu [16, 10, 10]", "maxpool [16, 5, 5]", "flatten [400]",
      "dense [120] fc1", "relu [120]", "dense [84] fc2", "relu [84]", "dense [10] logits",
    ])
  guard let program = result.program, let model = program.model(named: "LeNet") else { return }
  // 156 + 2416 + 48120 + 10164 + 850, as torchsummary gives for LeNet-5.
  #expect(parameterCount(model) == 61_706)
  #expect(model.parameterCount == 61_706)
  #expect(model.bindings.map(\.name) == ["image", "c1", "c2", "f", "fc1", "fc2", "logits"])
  #expect(
    program.data(named: "mnist")?.spec
      == .idx(images: "train-images", labels: "train-labels", scale: 1.0 / 255))
  if case .evaluate(let evaluation) = program.tasks.last {
    #expect(evaluation.metrics == [.loss, .accuracy])
    #expect(evaluation.loss?.kind == .crossEntropy)
  } else {
    Issue.record("no evaluate task")
  }
}
