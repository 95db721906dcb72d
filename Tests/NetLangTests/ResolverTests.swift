// ResolverTests: names, arguments and kinds (E02xx): unknown names with suggestions, duplicate
// declarations, labels, arity, whole-number checks, contexts, and unused-name warnings.

import NetLangTensor
import Testing

@testable import NetLang

/// A model body wrapped around `lines`, with `input x: [4]`.
func model(_ lines: String, input: String = "[4]") -> String {
  "model M {\n    input x: \(input)\n\(lines)\n}\n"
}

@Test("an unknown name suggests the closest one")
func unknownNameSuggests() {
  let result = check(model("    hidden = dense(x, 3)\n    output y = relu(hiden)"))
  #expect(codes(result) == ["E0201 4:21"])
  #expect(result.diagnostics[0].message == "unknown name 'hiden'")
  #expect(result.diagnostics[0].notes.map(\.message) == ["did you mean 'hidden'?"])
}

@Test("an unknown built-in suggests the closest built-in")
func unknownBuiltin() {
  let result = check(model("    output y = dence(x, 3)"))
  #expect(codes(result) == ["E0201 3:16"])
  #expect(result.diagnostics[0].notes.map(\.message) == ["did you mean 'dense'?"])
}

@Test("a top-level name declared twice is E0202 with a note at the first")
func duplicateTopLevel() {
  let result = check("let a = 1\nlet a = 2\n")
  #expect(codes(result) == ["E0202 2:5"])
  #expect(result.diagnostics[0].notes.first?.span != nil)
}

@Test("an unknown label is E0206 with a suggestion")
func unknownLabel() {
  let result = check(model("    output y = dense(x, 3, bais: false)"))
  #expect(codes(result) == ["E0206 3:28"])
  #expect(result.diagnostics[0].notes.map(\.message) == ["did you mean 'bias'?"])
}

@Test("missing, surplus and duplicate arguments")
func arity() {
  #expect(codes(check(model("    output y = dense(x)"))) == ["E0207 3:16"])
  #expect(codes(check(model("    output y = relu(x, 3)"))) == ["E0210 3:24"])
  #expect(codes(check(model("    output y = dense(x, 3, units: 4)"))) == ["E0211 3:28"])
  #expect(codes(check(model("    output y = dense(x, units: 3, 4)"))) == ["E0222 3:35"])
}

@Test("kinds and whole numbers are checked")
func kinds() {
  #expect(codes(check(model("    output y = dense(x, 2.5)"))) == ["E0212 3:25"])
  #expect(codes(check(model("    output y = dense(x, 0)"))) == ["E0212 3:25"])
  #expect(codes(check(model("    output y = dense(x, \"ten\")"))) == ["E0203 3:25"])
  #expect(codes(check(model("    output y = relu(3)"))) == ["E0203 3:21"])
  #expect(codes(check(model("    output y = dropout(x, 1)"))) == ["E0212 3:27"])
  #expect(codes(check(model("    output y = dense(x, 3, init: \"xavir\")"))) == ["E0223 3:34"])
  #expect(codes(check(model("    output y = 3"))) == ["E0203 3:16"])
  let wrongKind = check(model("    output y = dense(x, 2.5)"))
  #expect(
    wrongKind.diagnostics[0].message == "'units' of 'dense' must be a whole number ≥ 1, found 2.5")
}

@Test("constants are computed and division by zero is an error")
func constants() {
  let clean = check(
    "let side = 28 - 5 + 1\nlet half = side / 2\n" + model("    output y = dense(x, half)"))
  #expect(clean.diagnostics.isEmpty, "\(rendered(clean))")
  #expect(clean.program.map { $0.models[0].nodes[1].shape } == [12])
  #expect(codes(check("let a = 1 / (2 - 2)\n")) == ["E0213 1:11"])
  #expect(codes(check("let a = \"x\" + 1\n")) == ["E0203 1:13"])
  #expect(codes(check("let a = b\nlet b = a\n")) == ["E0220 2:9"])
}

@Test("tensor operations outside models, blocks outside models, data sources in models")
func contexts() {
  #expect(codes(check("let a = relu(1)\n")) == ["E0215 1:9"])
  #expect(codes(check(model("    output y = xor()"))) == ["E0215 3:16"])
  #expect(codes(check("data d = slice(xor(), to: 0.5)\n")) == ["E0215 1:16"])
  #expect(codes(check("block b(x) {\n    return relu(x)\n}\nlet a = b(1)\n")) == ["E0215 4:9"])
}

@Test("blocks and models are not values; constants are not callable")
func notValues() {
  let source = "block b(x) {\n    return relu(x)\n}\nlet k = 3\n"
  #expect(codes(check(source + model("    output y = relu(b)"))) == ["E0203 7:21"])
  #expect(codes(check(source + model("    output y = k(x)"))) == ["E0203 7:16"])
}

@Test("block structure: parameter order, return placement, input in a block")
func blockStructure() {
  #expect(codes(check("block b(x = 1, y) {\n    return y\n}\n")) == ["E0218 1:16"])
  #expect(codes(check("block b(x) {\n    h = relu(x)\n}\n")) == ["E0214 1:7"])
  #expect(
    codes(check("block b(x) {\n    return x\n    h = relu(x)\n}\n")) == ["E0214 2:5", "E0214 1:7"])
  #expect(codes(check("block b(x) {\n    input z: [3]\n    return x\n}\n")) == ["E0214 2:5"])
  #expect(codes(check(model("    return x"))) == ["E0214 3:5", "E0217 1:7"])
}

@Test("unused bindings, inputs and parameters warn; outputs do not")
func unusedWarnings() {
  let result = check(
    """
    block b(x, unused) {
        return relu(x)
    }
    model M {
        input x: [4]
        input z: [2]
        spare = dense(x, 3)
        output y = b(x, 1)
    }
    """)
  #expect(codes(result) == ["W0203 1:12", "W0202 6:11", "W0201 7:5"])
  #expect(result.program != nil)
}

@Test("a shadowed binding that was used does not warn; one that was not does")
func shadowing() {
  let used = check(model("    h = dense(x, 3)\n    h = relu(h)\n    output y = h"))
  #expect(used.diagnostics.isEmpty)
  let unused = check(model("    h = dense(x, 3)\n    h = dense(x, 5)\n    output y = h"))
  #expect(codes(unused) == ["W0201 3:5"])
}

@Test("members of data sets")
func members() {
  let result = check(
    """
    data mnist = idx("a", labels: "b")
    data novel = text("book.txt", seq: 8)
    let n = mnist.size + mnist.classes + novel.vocab
    data held = novel.heldout
    """)
  #expect(result.diagnostics.isEmpty, "\(rendered(result))")
  #expect(result.program?.dataSets.map(\.name) == ["mnist", "novel", "novel.heldout", "held"])
  #expect(codes(check("data d = xor()\nlet n = d.sise\n")) == ["E0216 2:11"])
  #expect(codes(check("data d = xor()\nlet n = d.vocab\n")) == ["E0216 2:11"])
  #expect(codes(check("let d = 3\nlet n = d.size\n")) == ["E0203 2:11"])
}

@Test("blocks that no model calls still get their names and call labels checked")
func uncalledBlocks() {
  let result = check(
    """
    block unused(x, units = 4) {
        h = relu(dense(x, unit))
        g = dense(h, 3, bais: false)
        return helper(g)
    }
    """)
  #expect(codes(result) == ["E0201 2:23", "E0206 3:21", "E0201 4:12"])
  #expect(
    check(
      "block fine(x, n = 2) {\n    for i in range(n) {\n        x = relu(x) * i\n    }\n    return x\n}\n"
    ).diagnostics.isEmpty)
}
