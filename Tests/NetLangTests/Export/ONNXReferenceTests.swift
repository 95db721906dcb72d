// ONNXReferenceTests: the exported weights put through ONNX's own Gemm, LSTM (i o f c) and GRU
// (z r h, linear_before_reset) equations reproduce netlang's outputs; no onnxruntime needed.

import Foundation
import Testing

@testable import NetLang

/// Runs `netlang export` on `source` (as `main.net` in a fresh folder) with a reference file;
/// returns the model read back and the reference JSON's inputs and outputs by name.
func exportWithReference(
  _ source: String, train: Bool = false
) throws -> (ONNXModel, [String: [Double]], [String: [Double]]) {
  let folder = try temporaryFolder(["main.net": source])
  let path = folder + "/main.net"
  var options = ["output": folder + "/m.onnx"]
  if train {
    let weights = folder + "/w.safetensors"
    let (status, _, errors) = runNetlang(["run", path, "--epochs", "3", "--save", weights])
    #expect(status == .success, "\(errors)")
    options["load"] = weights
  }
  let console = RecordingConsole()
  let status = Driver(console: console).export(
    Invocation(command: .export, files: [path], options: options),
    referencePath: folder + "/reference.json")
  #expect(status == .success, "\(console.errors)")
  let bytes = try #require(FileManager.default.contents(atPath: folder + "/m.onnx"))
  let model = try ONNXModel(bytes: [UInt8](bytes))
  let data = try #require(FileManager.default.contents(atPath: folder + "/reference.json"))
  let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  func tensors(_ key: String) -> [String: [Double]] {
    let group = json[key] as? [String: [String: Any]] ?? [:]
    return group.mapValues { ($0["values"] as? [NSNumber] ?? []).map(\.doubleValue) }
  }
  return (model, tensors("inputs"), tensors("outputs"))
}

func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

/// `W·v` for a row-major `[rows, v.count]` block of `W` starting at row `firstRow`.
func rows(_ w: [Float], _ v: [Double], firstRow: Int, count: Int) -> [Double] {
  (0..<count).map { r in
    (0..<v.count).reduce(0.0) { $0 + Double(w[(firstRow + r) * v.count + $1]) * v[$1] }
  }
}

@Suite("ONNX export against netlang's outputs")
struct ONNXReferenceTests {
  @Test("xor: Gemm(transB) · Tanh · Gemm · Sigmoid on the exported weights = netlang's y")
  func dense() throws {
    let (onnx, inputs, outputs) = try exportWithReference(xorSource, train: true)
    let graph = onnx.graph
    let w1 = try #require(graph.initializer("hidden.weight")).floats
    let b1 = try #require(graph.initializer("hidden.bias")).floats
    let w2 = try #require(graph.initializer("y.weight")).floats
    let b2 = try #require(graph.initializer("y.bias")).floats
    let x = try #require(inputs["x"])
    let y = try #require(outputs["y"])
    #expect(x.count == 8 && y.count == 4)
    for example in 0..<4 {
      let input = Array(x[example * 2..<example * 2 + 2])
      let hidden = rows(w1, input, firstRow: 0, count: 8).enumerated().map {
        Foundation.tanh($1 + Double(b1[$0]))
      }
      let output = sigmoid(rows(w2, hidden, firstRow: 0, count: 1)[0] + Double(b2[0]))
      #expect(abs(output - y[example]) < 1e-5, "example \(example)")
    }
  }

  @Test("lstm and gru: ONNX's equations on the reordered gates = netlang's sequences")
  func recurrent() throws {
    let source = """
      data w = waves(count: 8, steps: 5, seed: 2)
      model M {
          input x: [5, 1]
          output a = lstm(x, 3)
          output b = gru(x, 2)
          output y = dense(a, 1)
      }
      train M on w {
          loss = mse(y, y)
          optimizer = adam(lr: 0.01)
      }
      """
    let (onnx, inputs, outputs) = try exportWithReference(source)
    let x = try #require(inputs["x"])
    let a = try #require(outputs["a"])
    let b = try #require(outputs["b"])
    let (steps, examples) = (5, x.count / 5)
    func operands(_ op: String) throws -> ([Float], [Float], [Float]) {
      let node = try #require(onnx.graph.nodes.first { $0.opType == op })
      let tensors = try node.inputs[1...3].map { try #require(onnx.graph.initializer($0)) }
      return (tensors[0].floats, tensors[1].floats, tensors[2].floats)
    }
    // LSTM, ONNX gate blocks i o f c; B = [Wb; Rb].
    let (lw, lr, lb) = try operands("LSTM")
    let gru = try #require(onnx.graph.nodes.first { $0.opType == "GRU" })
    #expect(gru.attribute("linear_before_reset") == .int(1))
    let (gw, gr, gb) = try operands("GRU")
    var worst = 0.0
    for example in 0..<examples {
      var (h, c) = ([Double](repeating: 0, count: 3), [Double](repeating: 0, count: 3))
      var g = [Double](repeating: 0, count: 2)
      for t in 0..<steps {
        let input = [x[example * steps + t]]
        func gate(_ k: Int, _ w: [Float], _ r: [Float], _ bias: [Float], _ state: [Double])
          -> [Double]
        {
          let n = state.count
          let fromX = rows(w, input, firstRow: k * n, count: n)
          let fromH = rows(r, state, firstRow: k * n, count: n)
          let gates = w.count / n
          return (0..<n).map {
            fromX[$0] + fromH[$0] + Double(bias[k * n + $0]) + Double(bias[(gates + k) * n + $0])
          }
        }
        let i = gate(0, lw, lr, lb, h).map(sigmoid)
        let o = gate(1, lw, lr, lb, h).map(sigmoid)
        let f = gate(2, lw, lr, lb, h).map(sigmoid)
        let cell = gate(3, lw, lr, lb, h).map { Foundation.tanh($0) }
        c = (0..<3).map { f[$0] * c[$0] + i[$0] * cell[$0] }
        h = (0..<3).map { o[$0] * Foundation.tanh(c[$0]) }
        // GRU, ONNX gate blocks z r h, linear_before_reset: r scales (R_h·H + Rb_h).
        let z = gate(0, gw, gr, gb, g).map(sigmoid)
        let reset = gate(1, gw, gr, gb, g).map(sigmoid)
        let fromX = rows(gw, input, firstRow: 4, count: 2)
        let fromH = rows(gr, g, firstRow: 4, count: 2)
        var next = g
        for k in 0..<2 {
          let recurrent: Double = fromH[k] + Double(gb[10 + k])
          let preActivation: Double = fromX[k] + Double(gb[4 + k]) + reset[k] * recurrent
          let candidate = Foundation.tanh(preActivation)
          next[k] = (1 - z[k]) * candidate + z[k] * g[k]
        }
        g = next
        for k in 0..<3 { worst = max(worst, abs(h[k] - a[(example * steps + t) * 3 + k])) }
        for k in 0..<2 { worst = max(worst, abs(g[k] - b[(example * steps + t) * 2 + k])) }
      }
    }
    #expect(worst < 1e-5)
  }
}
