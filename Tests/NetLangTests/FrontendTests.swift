// FrontendTests: whole programs through read, parse and check: clean examples, imports,
// import cycles, a missing main file.

import NetLangTensor
import NetLangTraining
import Testing

@testable import NetLang

@Test("the xor example checks clean")
func xorChecksClean() {
  let result = check(
    """
    data points = xor()

    model XorNet {
        input x: [2]
        h = tanh(dense(x, 8))
        output y = sigmoid(dense(h, 1))
    }

    train XorNet on points {
        loss      = mse(y, y)
        optimizer = sgd(lr: 0.5, momentum: 0.9)
        epochs    = 500
        batch     = 4
    }

    evaluate XorNet on points { metrics = [loss] }
    """)
  #expect(result.diagnostics.isEmpty, "\(rendered(result))")
  #expect(
    nodeSummary(result, model: "XorNet") == [
      "input [2]", "dense [8] h", "tanh [8]", "dense [1] y", "sigmoid [1]",
    ])
  guard let program = result.program else { return }
  #expect(program.tasks.count == 2)
  if case .train(let train) = program.tasks.first {
    #expect(train.epochs == 500)
    #expect(train.batch == 4)
    #expect(train.optimizer == .sgd(SGDSettings(learningRate: 0.5, momentum: 0.9)))
    #expect(train.loss.kind == .mse)
  } else {
    Issue.record("first task is not train")
  }
  if case .evaluate(let evaluation) = program.tasks.last {
    #expect(evaluation.metrics == [.loss])
    #expect(evaluation.loss?.output == "y")
  }
}
