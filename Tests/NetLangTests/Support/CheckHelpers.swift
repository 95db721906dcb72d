// CheckHelpers: run the whole front end on in-memory sources with a fake data inspector, and
// compact views of the result for assertions.

import NetLangTensor
import NetLangTraining

@testable import NetLang

/// Schemas as the real readers would give them for the test data sets.
func fakeInspect(_ spec: DataSourceSpec) throws(DataError) -> DataSchema {
  switch spec {
  case .idx(let images, let labels, _):
    if images.contains("missing") {
      throw DataError(path: images, message: "no such file")
    }
    var fields = [DataField(name: "image", shape: [1, 28, 28], kind: .real)]
    if labels != nil { fields.append(DataField(name: "label", shape: [], kind: .classIndex)) }
    return DataSchema(fields: fields, size: 100, classes: labels == nil ? nil : 10)
  case .csv(let path, let label, _):
    if path.contains("missing") { throw DataError(path: path, message: "no such file") }
    var fields = ["a", "b", "c", "d"].map { DataField(name: $0, shape: [], kind: .real) }
    fields.append(DataField(name: "features", shape: [4], kind: .real))
    if let label { fields.append(DataField(name: label, shape: [], kind: .classIndex)) }
    return DataSchema(fields: fields, size: 150, classes: label == nil ? nil : 3)
  case .table:
    return DataSchema(fields: [], size: 0)
  case .xor(let samples, _, _):
    return DataSchema(
      fields: [
        DataField(name: "x", shape: [2], kind: .real),
        DataField(name: "y", shape: [1], kind: .real),
        DataField(name: "label", shape: [], kind: .classIndex),
      ], size: samples, classes: 2)
  case .spirals(let arms, let points, _, _):
    return DataSchema(
      fields: [
        DataField(name: "x", shape: [2], kind: .real),
        DataField(name: "label", shape: [], kind: .classIndex),
      ], size: arms * points, classes: arms)
  case .waves(let count, let steps, _):
    return DataSchema(
      fields: [
        DataField(name: "x", shape: [steps, 1], kind: .real),
        DataField(name: "y", shape: [steps, 1], kind: .real),
      ], size: count)
  case .text(let path, let sequence, _, let part):
    if path.contains("missing") { throw DataError(path: path, message: "no such file") }
    return DataSchema(
      fields: [
        DataField(name: "chars", shape: [sequence], kind: .classIndex),
        DataField(name: "next", shape: [sequence], kind: .classIndex),
      ], size: part == .training ? 900 : 100, vocabulary: 65)
  case .slice(let base, let from, let to, _):
    var schema = try fakeInspect(base)
    schema.size = Int(Double(schema.size) * (to - from))
    return schema
  }
}

/// Checks `source` as `main.net`, with `others` readable beside it by relative path.
func check(_ source: String, others: [String: String] = [:]) -> FrontendResult {
  var sources = others
  sources["main.net"] = source
  return Frontend.check(
    path: "main.net", readFile: { path in sources[path].map { Array($0.utf8) } },
    inspectData: fakeInspect)
}

/// "E0301 3:7" (or "W0201 ...") per diagnostic of the main file.
func codes(_ result: FrontendResult) -> [String] {
  result.diagnostics.map { diagnostic in
    let file = result.files[diagnostic.span.file]
    let (line, column) = file.location(of: diagnostic.span.start)
    let letter = diagnostic.severity == .warning ? "W" : "E"
    return "\(letter)\(diagnostic.code) \(line):\(column)"
  }
}

/// The rendered diagnostics.
func rendered(_ result: FrontendResult) -> String {
  DiagnosticRenderer(files: result.files).render(result.diagnostics)
}

/// The nodes of model `name` as "op shape [layer]" lines.
func nodeSummary(_ result: FrontendResult, model name: String) -> [String] {
  guard let model = result.program?.model(named: name) else { return [] }
  return model.nodes.map { node in
    var line = "\(opName(node.op)) \(node.shape)"
    if let layer = node.layerName { line += " \(layer)" }
    return line
  }
}

/// A short name of an op.
func opName(_ op: LayerOp) -> String {
  let text = String(describing: op)
  return String(text.prefix { $0 != "(" })
}

/// Number of trainable parameters of a checked model (PyTorch layout, grammar.md 5.2).
func parameterCount(_ model: CheckedModel) -> Int {
  var total = 0
  for node in model.nodes {
    let input = node.inputs.first.map { model[$0].shape } ?? []
    switch node.op {
    case .dense(let units, let bias, _):
      total += units * (input.dimensions.last ?? 0) + (bias ? units : 0)
    case .conv2d(let filters, let window, let bias, _):
      total +=
        filters * input.dimensions[0] * window.kernel.0 * window.kernel.1 + (bias ? filters : 0)
    case .batchnorm:
      total += 2 * input.dimensions[0]
    case .embedding(let vocabulary, let dimension):
      total += vocabulary * dimension
    case .rnn(let units), .lstm(let units), .gru(let units):
      let gates = {
        if case .lstm = node.op { return 4 }; if case .gru = node.op { return 3 }; return 1
      }()
      let features = input.dimensions.last ?? 0
      total += gates * units * (features + units + 2)
    default:
      break
    }
  }
  return total
}
