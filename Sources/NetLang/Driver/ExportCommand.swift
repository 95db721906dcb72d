// ExportCommand: `netlang export FILE --load WEIGHTS -o model.onnx`, and (NETLANG_ONNX_REFERENCE)
// netlang's own outputs on a few examples as JSON, for Tests/Tools/onnx_check.py.

import Foundation
import NetLangGraph
import NetLangTensor
import NetLangTraining

extension Driver {
  func exportCommand(_ invocation: Invocation) -> ExitStatus {
    export(
      invocation, referencePath: ProcessInfo.processInfo.environment["NETLANG_ONNX_REFERENCE"])
  }

  /// Exports the model; with `referencePath`, also writes netlang's outputs on sample inputs.
  func export(_ invocation: Invocation, referencePath: String?) -> ExitStatus {
    let path = invocation.files[0]
    guard let output = invocation.options["output"] else {
      console.writeError(
        "netlang: error: 'export' needs the file to write: add -o model.onnx\n"
          + "see 'netlang help export'\n")
      return .usage
    }
    let result: FrontendResult
    switch loadProgram(path) {
    case .failure(let status): return status
    case .success(let loaded): result = loaded
    }
    guard let program = result.program else { return .checkFailed }
    let modelName = invocation.options["model"] ?? program.models.first?.name
    guard let modelName, let model = program.model(named: modelName) else {
      let known = program.models.map(\.name).joined(separator: ", ")
      console.writeError(
        "netlang: error: no model '\(invocation.options["model"] ?? "")' in \(path)"
          + (known.isEmpty ? "\n" : " (models: \(known))\n"))
      return .usage
    }
    let options = RunOptions(invocation)
    let log: JSONLog
    do {
      log = try JSONLog(path: nil)
    } catch {
      return .runtimeFailure
    }
    let session = Session(
      program: program, files: result.files, options: options, console: console, log: log)
    let compiled: CompiledModel
    do {
      compiled = try session.compiledModel(modelName, loss: nil, data: nil, backward: false)
    } catch {
      return error.status
    }
    if options.load == nil {
      console.write(
        "note: no --load given: exporting \(modelName)'s initial weights "
          + "(seed \(session.initialSeed(for: modelName)))\n")
    }
    let executor = compiled.executor
    let onnx: ONNXModel
    do {
      onnx = try ONNXExporter.export(model, producerVersion: Help.version) { name in
        executor.parameterValue(named: name).map { Array($0) }
      }
    } catch {
      if let span = error.span {
        console.writeError(
          session.renderer.render(.error(.loweringFailed, error.message, at: span)) + "\n")
      } else {
        console.writeError("netlang: error: \(error.message)\n")
      }
      return .runtimeFailure
    }
    do {
      try Data(onnx.serialized()).write(to: URL(fileURLWithPath: output), options: .atomic)
    } catch {
      console.writeError(
        "netlang: error[E0505]: cannot write '\(output)': \(error.localizedDescription)\n")
      return .runtimeFailure
    }
    console.write(
      "wrote \(modelName) to \(output): ONNX opset \(ONNXExporter.opset), "
        + "\(onnx.graph.nodes.count) nodes, \(onnx.graph.initializers.count) initializers\n")
    if let reference = referencePath {
      do {
        try session.writeReference(model: model, compiled: compiled, to: reference)
      } catch {
        return error.status
      }
      console.write("wrote netlang's outputs on sample inputs to \(reference)\n")
    }
    return .success
  }
}

extension Session {
  /// Runs `model` in evaluation form on the first examples (up to 8) of the first data set a
  /// task pairs with it, and writes inputs and outputs as JSON:
  /// `{"inputs": {name: {"shape": [N, ...], "values": [...]}}, "outputs": {...}}`.
  func writeReference(
    model: CheckedModel, compiled: CompiledModel, to path: String
  ) throws(RunFailure) {
    var dataName: String?
    for task in program.tasks {
      switch task {
      case .train(let t) where t.model == model.name: dataName = dataName ?? t.data
      case .evaluate(let t) where t.model == model.name: dataName = dataName ?? t.data
      default: break
      }
    }
    guard let dataName else {
      console.writeError("netlang: error: no task pairs \(model.name) with a data set\n")
      throw RunFailure(status: .runtimeFailure)
    }
    let data = try dataset(dataName)
    let count = min(8, data.count, compiled.executor.plan.maxBatch)
    let executor = compiled.executor
    var inputs: [(String, JSONValue)] = []
    do {
      try executor.setBatchSize(count)
      for name in compiled.lowered.inputNames {
        guard let field = data.fieldIndex(named: name) else { continue }
        let buffer = try executor.inputBuffer(name)
        if let base = buffer.baseAddress {
          data.gather(field: field, indices: Array(0..<count), into: base)
        }
        let shape = model.inputs.first { model[$0].op == .input(name: name) }.map {
          model[$0].shape
        }
        inputs.append(
          (name, Session.tensorJSON(Array(buffer), count, shape ?? data.fields[field].shape)))
      }
      try executor.forward(training: false)
    } catch {
      console.writeError("netlang: error: cannot run \(model.name): \(error)\n")
      throw RunFailure(status: .runtimeFailure)
    }
    var outputs: [(String, JSONValue)] = []
    for output in model.outputs {
      guard let values = executor.output(output.name) else { continue }
      outputs.append(
        (output.name, Session.tensorJSON(Array(values), count, model[output.node].shape)))
    }
    let document = JSONValue.object([
      ("model", .string(model.name)), ("data", .string(dataName)),
      ("inputs", .object(inputs)), ("outputs", .object(outputs)),
    ])
    do {
      try Data((document.encoded() + "\n").utf8).write(
        to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      console.writeError("netlang: error[E0505]: cannot write '\(path)'\n")
      throw RunFailure(status: .runtimeFailure)
    }
  }

  static func tensorJSON(_ values: [Float], _ batch: Int, _ shape: Shape) -> JSONValue {
    .object([
      ("shape", .array(([batch] + shape.dimensions).map { .integer($0) })),
      ("values", .array(values.map { .number(Double($0)) })),
    ])
  }
}
