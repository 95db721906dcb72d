// ONNXExportErrorTests: models that cannot be exported get an error naming the op (and the
// parameter); `netlang export` end to end: the file it writes reads back, and its usage errors.

import Foundation
import Testing

@testable import NetLang

@Suite("ONNX export errors and command")
struct ONNXExportErrorTests {
  @Test("a missing parameter is an error naming the layer and the parameter")
  func missingParameter() throws {
    let model = try checkedModel(
      "model M {\n input x: [3]\n output y = dense(x, 2, name: \"fc\")\n}", "M")
    var values = countingParameters(model)
    values["fc.bias"] = nil
    #expect(throws: ONNXExportError.self) { try ONNXExporter.export(model) { values[$0] } }
    do {
      _ = try ONNXExporter.export(model) { values[$0] }
    } catch {
      #expect(error.message == "cannot export dense 'fc': no values for parameter 'fc.bias'")
      #expect(error.span == model.nodes[1].span)
    }
  }

  @Test("a parameter of the wrong size is an error, not a malformed file")
  func wrongSize() throws {
    let model = try checkedModel(
      "model M {\n input x: [3]\n output y = dense(x, 2, name: \"fc\")\n}", "M")
    var values = countingParameters(model)
    values["fc.weight"] = [1, 2, 3]
    do {
      _ = try ONNXExporter.export(model) { values[$0] }
      Issue.record("expected an error")
    } catch {
      #expect(error.message.hasPrefix("cannot export dense 'fc': parameter 'fc.weight' has 3"))
    }
  }

  @Test("an op ONNX cannot express is an error naming the op: lstm on a 3-D input")
  func unexportableOp() throws {
    // The checker refuses this shape; a hand-built model shows the exporter's own guard.
    let base = try checkedModel("model M {\n input x: [2, 3, 4]\n output y = relu(x)\n}", "M")
    var model = base
    model.nodes[1] = CheckedNode(
      op: .lstm(units: 5), inputs: [NodeRef(0)], shape: [2, 3, 5], span: base.nodes[1].span,
      layerName: "h")
    let values: [String: [Float]] = [
      "h.weight_ih_l0": [Float](repeating: 0, count: 80),
      "h.weight_hh_l0": [Float](repeating: 0, count: 100),
      "h.bias_ih_l0": [Float](repeating: 0, count: 20),
      "h.bias_hh_l0": [Float](repeating: 0, count: 20),
    ]
    do {
      _ = try ONNXExporter.export(model) { values[$0] }
      Issue.record("expected an error")
    } catch {
      #expect(error.message.hasPrefix("cannot export lstm 'h'"))
      #expect(error.message.contains("[time, features]"))
    }
  }

  @Test("an operation of two constants has no batch axis and is refused, naming the op")
  func constantsOnly() throws {
    let base = try checkedModel("model M {\n input x: [1]\n output y = x * 2\n}", "M")
    var model = base
    let constant = try #require(base.nodes.firstIndex { $0.op == .constant(2) })
    model.nodes[2] = CheckedNode(
      op: .multiply, inputs: [NodeRef(constant), NodeRef(constant)], shape: [],
      span: base.nodes[2].span)
    do {
      _ = try ONNXExporter.export(model) { _ in nil }
      Issue.record("expected an error")
    } catch {
      #expect(error.message == "cannot export multiply of two constants (no batch axis)")
    }
  }

  @Test("netlang export writes a file the reader reads back, with the trained-in weights")
  func command() throws {
    let folder = try temporaryFolder(["xor.net": xorSource])
    let path = folder + "/xor.net"
    let weights = folder + "/w.safetensors"
    let (trained, _, trainErrors) = runNetlang([
      "run", path, "--epochs", "2", "--save", weights, "--quiet",
    ])
    #expect(trained == .success, "\(trainErrors)")
    let output = folder + "/xor.onnx"
    let (status, text, errors) = runNetlang(["export", path, "--load", weights, "-o", output])
    #expect(status == .success, "\(errors)")
    #expect(text.contains("wrote XorNet to \(output): ONNX opset 17"))
    let bytes = try #require(FileManager.default.contents(atPath: output))
    let onnx = try ONNXModel(bytes: [UInt8](bytes))
    #expect(onnx.graph.name == "XorNet")
    #expect(onnx.graph.outputs.map(\.name) == ["y"])
    let weight = try #require(onnx.graph.initializer("hidden.weight"))
    #expect(weight.dims == [8, 2])
    #expect(weight.floats.allSatisfy { $0.isFinite })
    // The exported weights are the loaded ones, not a fresh initialisation.
    let (_, fresh, _) = runNetlang(["export", path, "-o", folder + "/fresh.onnx"])
    #expect(fresh.contains("no --load given"))
    let initial = try ONNXModel(
      bytes: [UInt8](try #require(FileManager.default.contents(atPath: folder + "/fresh.onnx"))))
    #expect(initial.graph.initializer("hidden.weight")?.floats != weight.floats)
  }

  @Test("export without -o or of an unknown model is a usage error; an unwritable file, exit 3")
  func usage() throws {
    let folder = try temporaryFolder(["xor.net": xorSource])
    let (status, _, errors) = runNetlang(["export", folder + "/xor.net"])
    #expect(status == .usage)
    #expect(errors.contains("add -o model.onnx"))
    let (unknown, _, message) = runNetlang(
      ["export", folder + "/xor.net", "--model", "Nope", "-o", folder + "/x.onnx"])
    #expect(unknown == .usage)
    #expect(message.contains("no model 'Nope'"))
    #expect(message.contains("models: XorNet"))
    let (unwritable, _, writeError) = runNetlang(
      ["export", folder + "/xor.net", "-o", folder + "/no/such/folder/x.onnx"])
    #expect(unwritable == .runtimeFailure)
    #expect(writeError.contains("error[E0505]: cannot write"))
  }
}
