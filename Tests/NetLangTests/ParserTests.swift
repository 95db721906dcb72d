// ParserTests: S-expression dumps for every construct of grammar.md sections 2-4, and error
// recovery that reports several independent mistakes once each.

import Testing

@testable import NetLang

/// Parses `source`, expects no diagnostics and returns the dump.
private func cleanDump(_ source: String, sourceLocation: SourceLocation = #_sourceLocation)
  -> String
{
  let (dump, diagnostics) = parseDump(source)
  #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))", sourceLocation: sourceLocation)
  return dump
}

/// The dump of one expression, written as `let e = <expr>`.
private func expressionDump(_ expr: String, sourceLocation: SourceLocation = #_sourceLocation)
  -> String
{
  let dump = cleanDump("let e = \(expr)\n", sourceLocation: sourceLocation)
  return String(dump.dropFirst("(let e ".count).dropLast(")\n".count))
}

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
    #expect(
      cleanDump(source) == """
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

  @Test("import, let and data declarations")
  func simpleDeclarations() {
    let source = """
      import "layers/common.net"
      let side = 28 - 5 + 1
      let name = "a \\"quoted\\" \\\\ name\\n"
      data novel = text("tiny.txt", seq: 64)
      data held = novel.heldout
      """
    #expect(
      cleanDump(source) == """
        (import "layers/common.net")
        (let side (28 - 5 + 1))
        (let name "a \\"quoted\\" \\\\ name\\n")
        (data novel (call text "tiny.txt" seq:64))
        (data held (. novel heldout))

        """)
  }

  @Test("a block with plain and default parameters, a trailing comma and a return")
  func blockDeclaration() {
    let source = """
      block conv_pool(x, filters, kernel = 5, stride = 1 + 1,) {
          h = relu(conv2d(x, filters, kernel, stride: stride))
          return maxpool(h, 2)
      }
      block identity() { return x }
      """
    #expect(
      cleanDump(source) == """
        (block conv_pool (x filters (kernel = 5) (stride = (1 + 1)))
          (= h (call relu (call conv2d x filters kernel stride:stride)))
          (return (call maxpool h 2)))
        (block identity ()
          (return x))

        """)
  }

  @Test("a block's parameters may span lines")
  func multiLineParameters() {
    let source = "block b(\n  x,\n  k = 3,\n) {\n  return x\n}\n"
    #expect(cleanDump(source) == "(block b (x (k = 3))\n  (return x))\n")
  }

  @Test("for, repeat, nested loops and empty bodies")
  func loops() {
    let source = """
      model Deep {
          input x: [784]
          h = x
          for units in [256, 128, 64] {
              h = relu(dense(h, units))
              repeat 2 {
                  h = dropout(h, 0.1)
              }
          }
          repeat range(3) {}
          output logits = dense(h, 10)
      }
      model Empty {}
      """
    #expect(
      cleanDump(source) == """
        (model Deep
          (input x (list 784))
          (= h x)
          (for units (list 256 128 64)
            (= h (call relu (call dense h units)))
            (repeat 2
              (= h (call dropout h 0.1))))
          (repeat (call range 3))
          (output logits (call dense h 10)))
        (model Empty)

        """)
  }

  @Test("tasks take any verb, 'on' or 'from', and any data expression")
  func tasks() {
    let source = """
      sample CharLSTM from novel { length = 100
          prime = "The "
      }
      pretrain Net on slice(iris, to: 0.8) {}
      evaluate Net on novel.heldout { metrics = [loss, accuracy,] }
      """
    #expect(
      cleanDump(source) == """
        (task sample CharLSTM from novel
          (setting length 100)
          (setting prime "The "))
        (task pretrain Net on (call slice iris to:0.8))
        (task evaluate Net on (. novel heldout)
          (setting metrics (list loss accuracy)))

        """)
  }

  @Test("'on', 'from' and verbs are not reserved")
  func softWords() {
    let source = "model on {\n  from = 1\n  train = from + on\n}\n"
    #expect(cleanDump(source) == "(model on\n  (= from 1)\n  (= train (from + on)))\n")
  }

  @Test("multiplication binds tighter than addition; one level is one flat chain")
  func precedence() {
    #expect(expressionDump("1 + 2 * 3 - 4 / 5") == "(1 + (2 * 3) - (4 / 5))")
    #expect(expressionDump("a * b * c / d") == "(a * b * c / d)")
    #expect(expressionDump("(1 + 2) * 3") == "((1 + 2) * 3)")
    #expect(expressionDump("1 - -2") == "(1 - (- 2))")
    #expect(expressionDump("-a.b * -(c)") == "((- (. a b)) * (- c))")
    #expect(expressionDump("--x") == "(- (- x))")
  }

  @Test("member access chains and binds tighter than unary minus")
  func memberAccess() {
    #expect(expressionDump("a.b.c") == "(. (. a b) c)")
    #expect(expressionDump("f(x).size") == "(. (call f x) size)")
    #expect(expressionDump("[1].n") == "(. (list 1) n)")
  }

  @Test("number literals in every written form")
  func numbers() {
    #expect(
      expressionDump("[12, 0.5, .5, 1e-3, 2.5E+4, 7e2]") == "(list 12 0.5 0.5 0.001 25000 700)")
    #expect(expressionDump("1e-99999") == "0")
  }

  @Test("calls with labelled arguments, trailing commas and line breaks")
  func calls() {
    #expect(expressionDump("f()") == "(call f)")
    #expect(expressionDump("f(x,)") == "(call f x)")
    #expect(expressionDump("f(x, a: 1, b: [1, 2],)") == "(call f x a:1 b:(list 1 2))")
    #expect(expressionDump("f(\n  x,\n\n  # a comment\n  label: 2\n)") == "(call f x label:2)")
    #expect(expressionDump("[\n  [1, 2],\n  [3, 4],\n]") == "(list (list 1 2) (list 3 4))")
    #expect(expressionDump("[]") == "(list)")
    #expect(expressionDump("g(h(k(1)))") == "(call g (call h (call k 1)))")
  }

  @Test("spans of declarations, statements and expressions")
  func spans() {
    let source = "let x = 1 + f(a)\nmodel M {\n  h = -x\n}\n"
    let file = SourceFile(path: "test.net", text: source)
    var diagnostics: [Diagnostic] = []
    let unit = Parser.parse(file, into: &diagnostics)
    #expect(diagnostics.isEmpty)
    guard unit.declarations.count == 2,
      case .letDecl(let letDecl) = unit.declarations[0],
      case .modelDecl(let model) = unit.declarations[1],
      case .assign(let name, let value, let statementSpan) = model.body.first
    else {
      Issue.record("unexpected tree \(ASTPrinter.print(unit))")
      return
    }
    #expect(file.text(of: letDecl.span) == "let x = 1 + f(a)")
    #expect(file.text(of: letDecl.name.span) == "x")
    #expect(file.text(of: letDecl.value.span) == "1 + f(a)")
    #expect(file.text(of: model.span) == "model M {\n  h = -x\n}")
    #expect(file.text(of: statementSpan) == "h = -x")
    #expect(file.text(of: name.span) == "h")
    #expect(file.text(of: value.span) == "-x")
  }

  @Test("a file that is empty, blank or only comments parses to nothing")
  func emptyFiles() {
    for source in ["", "\n\n", "# only a comment", "# one\n# two\n\n  # three\n"] {
      #expect(cleanDump(source) == "")
    }
  }

  @Test("several independent errors are each reported once, and good parts still parse")
  func recovery() {
    let source = """
      let = 3
      let ok = 1
      model Net {
          input x [2]
          h = dense(x, 4) )
          output y = h
      }
      train Net points { epochs = 3 }
      data d = xor(
      evaluate Net on d {
          epochs 3
          metrics = [loss]
      }
      """
    let (dump, diagnostics) = parseDump(source)
    #expect(
      codesAndLocations(diagnostics, in: source) == [
        "E0104 1:5", "E0104 4:13", "E0104 5:21", "E0104 8:11", "E0106 9:14", "E0104 11:12",
      ])
    #expect(
      dump == """
        <error>
        (let ok 1)
        (model Net
          <error>
          (= h (call dense x 4))
          (output y h))
        <error>
        (data d (call xor))
        (task evaluate Net on d
          (setting metrics (list loss)))

        """)
  }

  @Test("a statement keyword inside an unclosed call ends the call at the line end")
  func unclosedCallBeforeStatement() {
    let source = "model M {\n  h = f(x,\n  output y = h\n}\n"
    let (dump, diagnostics) = parseDump(source)
    #expect(codesAndLocations(diagnostics, in: source) == ["E0106 2:11"])
    #expect(dump == "(model M\n  (= h (call f x))\n  (output y h))\n")
  }

  @Test("declarations inside a body close it with an error pointing at its brace")
  func unclosedBody() {
    let source = "model A {\n  input x: [1]\nmodel B {\n  input y: [1]\n}\n"
    let (dump, diagnostics) = parseDump(source)
    #expect(
      diagnostics.map(\.message) == ["expected '}' to close '{' at 1:9, found keyword 'model'"])
    #expect(dump == "(model A\n  (input x (list 1)))\n(model B\n  (input y (list 1)))\n")
  }
}
