// ParserTests: S-expression dumps for every construct of grammar.md sections 2-4.

import Testing

@testable import NetLang

@Suite("Parser") struct ParserTests {
  @Test("the xor example of grammar.md parses to the expected tree")
  func xorExample() {
    let source = """
      # xor.net: the smallest network that needs a hidden layer.
      data points = xor()

      model XorNet {
          input x: [2]
          h = tanh(dense(x, 8))
          output y = sigmoid(dense(h, 1))
      }

      train XorNet on points {
          loss      = mse(y, y)          # output 'y' against the data's field 'y'
          optimizer = sgd(lr: 0.5, momentum: 0.9)
          epochs    = 500
          batch     = 4
      }

      evaluate XorNet on points { metrics = [loss] }
      """
    let (dump, diagnostics) = parseDump(source)
    #expect(diagnostics.isEmpty)
    #expect(
      dump == """
        (data points (call xor))
        (model XorNet
          (input x (list 2))
          (= h (call tanh (call dense x 8)))
          (output y (call sigmoid (call dense h 1))))
        (task train XorNet on points
          (setting loss (call mse y y))
          (setting optimizer (call sgd lr:0.5 momentum:0.9))
          (setting epochs 500)
          (setting batch 4))
        (task evaluate XorNet on points
          (setting metrics (list loss)))

        """)
  }
}
