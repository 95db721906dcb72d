// InliningTests: blocks inlined with their own scope, loops unrolled, layer names per
// grammar.md 5.6, and the limits that keep checking finite (E0208, E0209).

import NetLangTensor
import Testing

@testable import NetLang

/// The layer names of model `M`.
func layerNames(_ source: String) -> [String] {
  let result = check(source)
  guard let model = result.program?.model(named: "M") else {
    return ["errors: " + codes(result).joined(separator: ", ")]
  }
  return model.nodes.compactMap(\.layerName)
}

@Test("a loop builds a stack; repeated names get _2, _3")
func loopNames() {
  let names = layerNames(
    model(
      """
          h = x
          for units in [64, 32, 16] {
              h = relu(dense(h, units))
          }
          output y = dense(h, 2)
      """))
  #expect(names == ["h", "h_2", "h_3", "y"])
}

@Test("repeat and range unroll their bodies")
func repeatAndRange() {
  let result = check(
    model(
      """
          h = x
          repeat 3 {
              h = tanh(dense(h, 5))
          }
          for i in range(2) {
              h = h + dense(h, 5) * i
          }
          output y = h
      """))
  #expect(result.diagnostics.isEmpty, "\(rendered(result))")
  let model = result.program?.model(named: "M")
  #expect(model?.nodes.filter { if case .dense = $0.op { true } else { false } }.count == 5)
  #expect(model?.bindings.map(\.name) == ["x", "h", "h", "h", "h", "h", "h", "y"])
}

@Test("name: overrides the layer name; return uses the operation name; block calls prefix")
func blockPrefixes() {
  let names = layerNames(
    """
    block conv_pool(x, filters) {
        return maxpool(relu(conv2d(x, filters, 3)), 2)
    }
    block stage(x) {
        a = conv_pool(x, 4)
        return conv_pool(a, 8)
    }
    model M {
        input image: [1, 64, 64]
        h = conv_pool(image, 6)
        s = stage(h)
        t = stage(h)
        u = conv_pool(s + t, 2, name: "extra")
        output y = dense(flatten(u), 10, name: "classifier")
    }
    """)
  #expect(
    names == [
      "h.conv2d", "s.a.conv2d", "s.conv_pool.conv2d", "t.a.conv2d", "t.conv_pool.conv2d",
      "extra.conv2d", "classifier",
    ])
}

@Test("a block sees its parameters and top-level names, not the caller's bindings")
func blockScope() {
  let source = """
    let width = 7
    block b(x) {
        return dense(x, width) + secret
    }
    model M {
        input x: [4]
        secret = dense(x, 7)
        output y = b(x)
    }
    """
  let result = check(source)
  #expect(codes(result) == ["E0201 3:30"])
}

@Test("parameters with defaults take them from top-level constants")
func blockDefaults() {
  let result = check(
    """
    let base = 3
    block b(x, units = base * 2) {
        return dense(x, units)
    }
    model M {
        input x: [4]
        output y = b(x)
    }
    """)
  #expect(result.program?.model(named: "M").map { $0.nodes.last?.shape } == [6])
}

@Test("recursion stops at 64 nested block calls with E0208")
func recursion() {
  let result = check(
    """
    block forever(x) {
        return forever(relu(x))
    }
    model M {
        input x: [4]
        output y = forever(x)
    }
    """)
  #expect(codes(result) == ["E0208 2:12"])
}

@Test("a doubly recursive block is stopped by the step limit, not run for ever")
func exponentialRecursion() {
  let result = check(
    """
    block fork(n) {
        a = fork(n + 1)
        return fork(n + 1)
    }
    model M {
        input x: [4]
        k = fork(0)
        output y = x
    }
    """)
  #expect(result.diagnostics.contains { $0.code == .unrollsTooLarge || $0.code == .callsTooDeep })
  #expect(result.program == nil)
}

@Test("huge loops and huge models are E0209")
func hugeLoops() {
  #expect(
    codes(check(model("    repeat 1000000 {\n        x = relu(x)\n    }\n    output y = x"))) == [
      "E0209 3:12"
    ])
  #expect(
    codes(check(model("    for i in range(200000) {\n    }\n    output y = x"))) == [
      "E0209 3:20"
    ])
  let big = check(
    model(
      """
          repeat 1000 {
              repeat 1000 {
                  x = relu(x)
              }
          }
          output y = x
      """))
  #expect(big.diagnostics.map(\.code) == [.unrollsTooLarge])
  let busy = check(
    model(
      """
          repeat 100000 {
              repeat 100000 {
                  k = 1
              }
          }
          output y = x
      """))
  #expect(busy.diagnostics.map(\.code) == [.unrollsTooLarge])
}

@Test("a deeply nested expression does not crash the checker")
func deepExpression() {
  let depth = 250
  let expr = String(repeating: "relu(", count: depth) + "x" + String(repeating: ")", count: depth)
  let result = check(model("    output y = \(expr)"))
  #expect(result.program?.model(named: "M")?.nodes.count == depth + 1)
  let negations = String(repeating: "-", count: 240) + "x"
  #expect(check(model("    output y = \(negations)")).program != nil)
}

@Test("a model of 60 000 nodes checks")
func manyLayers() {
  let result = check(
    model("    repeat 30000 {\n        x = relu(dense(x, 4))\n    }\n    output y = x"))
  #expect(result.program?.model(named: "M")?.nodes.count == 60_001)
  #expect(result.program?.models.first?.nodes[59_999].layerName == "x_30000")
}

@Test("arguments are evaluated in source order, so layer names follow the text")
func argumentOrder() {
  let result = check(
    """
    block pair(a, b, scale = 1) {
        return concat(a, b) * scale
    }
    model M {
        input x: [4]
        output h = pair(dense(x, 3), b: dense(x, 5), scale: 2)
    }
    """)
  guard let model = result.program?.model(named: "M") else {
    Issue.record("\(rendered(result))")
    return
  }
  let layers = model.nodes.filter { $0.layerName != nil }
  #expect(layers.map(\.layerName) == ["h", "h_2"])
  #expect(layers.map(\.shape) == [[3], [5]])
  #expect(model.nodes.last?.shape == [8])
}

@Test("empty nested loops and many ranges are bounded too")
func emptyLoops() {
  let nested = check(
    "let big = range(100000)\n"
      + model("    for i in big {\n        for j in big {\n        }\n    }\n    output y = x"))
  #expect(nested.diagnostics.map(\.code) == [.unrollsTooLarge])
  let ranges = Array(repeating: "range(100000)", count: 11).joined(separator: ", ")
  #expect(check("let many = [\(ranges)]\n").diagnostics.map(\.code) == [.unrollsTooLarge])
}

@Test("deep expressions inside 60 nested block calls are fine")
func deepExpressionsInNestedBlocks() {
  let body = String(repeating: "relu(", count: 20) + "x" + String(repeating: ")", count: 20)
  let result = check(
    "block chain(x) {\n    return c1(x)\n}\n"
      + (1...59).map { "block c\($0)(x) {\n    return c\($0 + 1)(\(body))\n}\n" }.joined()
      + "block c60(x) {\n    return x\n}\n"
      + model("    output y = chain(x)"))
  #expect(result.diagnostics.filter { $0.severity == .error }.isEmpty, "\(rendered(result))")
  #expect(result.program?.model(named: "M")?.nodes.count == 59 * 20 + 1)
}

@Test("a block parameter named twice is E0219")
func duplicateParameter() {
  #expect(codes(check("block b(x, x) {\n    return x\n}\n")) == ["E0219 1:12"])
}
