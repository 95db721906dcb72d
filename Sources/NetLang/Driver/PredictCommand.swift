// PredictCommand: the `predict` task and `netlang predict FILE --load WEIGHTS --data NAME`.
// Runs a model forward on a data set and writes CSV: a header, then one row per example with
// its index and either the predicted class and class probabilities (for a model trained with
// cross_entropy) or the output values.

import Foundation
import NetLangGraph
import NetLangTensor
import NetLangTraining

extension Driver {
  func predictCommand(_ invocation: Invocation) -> ExitStatus {
    guard invocation.options["load"] != nil, let dataName = invocation.options["data"] else {
      console.writeError(
        "netlang: error: 'predict' needs --load WEIGHTS and --data NAME\n"
          + "see 'netlang help predict'\n")
      return .usage
    }
    let result: FrontendResult
    switch loadProgram(invocation.files[0]) {
    case .failure(let status): return status
    case .success(let loaded): result = loaded
    }
    guard let program = result.program,
      let model = selectModel(program, invocation: invocation)
    else { return .usage }
    guard let data = program.data(named: dataName) else {
      let names = program.dataSets.map(\.name).joined(separator: ", ")
      console.writeError("netlang: error: no data set '\(dataName)'; the file has: \(names)\n")
      return .usage
    }
    var options = RunOptions(invocation)
    options.quiet = true
    let log: JSONLog
    do { log = try JSONLog(path: nil) } catch { return .runtimeFailure }
    let session = Session(
      program: program, files: result.files, options: options, console: console, log: log)
    session.sourcePath = invocation.files[0]
    do {
      try session.predict(
        PredictTask(
          model: model.name, data: data.name, output: invocation.options["out"],
          span: model.span))
    } catch {
      return error.status
    }
    return .success
  }
}

extension Session {
  func predict(_ task: PredictTask) throws(RunFailure) {
    let data = try dataset(task.data)
    guard let checked = program.model(named: task.model) else { return }
    let model = try currentModel(task.model)
    let graph = model.lowered.graph
    let executor = model.executor

    // Every model input is fed from the data field of its name, as in training.
    for ref in checked.inputs {
      guard case .input(let name) = checked[ref].op else { continue }
      guard let field = data.field(named: name),
        field.shape.elementCount == checked[ref].shape.elementCount
      else {
        let fields = data.fields.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")
        throw fail(
          .invalidData,
          "data '\(task.data)' has no field '\(name)' of shape \(checked[ref].shape) for "
            + "model \(task.model); its fields are: \(fields)", at: task.span)
      }
    }
    let classifier = classifierOutput(of: task.model)
    let outputNames = classifier.map { [$0] } ?? checked.outputs.map(\.name)
    let outputNodes = outputNames.compactMap { graph.output($0) }
    var header = ["index"]
    var widths: [Int] = []
    for (name, node) in zip(outputNames, outputNodes) {
      let count = graph[node].shape.elementCount
      widths.append(count)
      if classifier != nil {
        header += ["predicted"] + (0..<count).map { "p\($0)" }
      } else {
        header += count == 1 ? [name] : (0..<count).map { "\(name)_\($0)" }
      }
    }
    var csv = header.joined(separator: ",") + "\n"
    let results: [[Float]]
    do {
      results = try forwardAll(
        executor, graph: graph, model: checked, data: data, outputs: outputNames)
    } catch {
      throw fail(.invalidData, "cannot predict on '\(task.data)': \(error)", at: task.span)
    }
    for example in 0..<data.count {
      var cells = [String(example)]
      for (values, width) in zip(results, widths) {
        let row = (0..<width).map { Double(values[example * width + $0]) }
        if classifier != nil {
          let largest = row.max() ?? 0
          let exps = row.map { exp($0 - largest) }
          let total = exps.reduce(0, +)
          let predicted = row.indices.max { row[$0] < row[$1] } ?? 0
          cells.append(String(predicted))
          cells += exps.map { String(Float($0 / total)) }
        } else {
          cells += row.map { String(Float($0)) }
        }
      }
      csv += cells.joined(separator: ",") + "\n"
    }
    if let output = task.output {
      try prepareFolder(for: output)
      do {
        try AtomicFile.write(Array(csv.utf8), to: output)
      } catch {
        console.writeError("netlang: error[E0505]: cannot write predictions: \(error)\n")
        throw RunFailure(status: .runtimeFailure)
      }
      console.write("predictions of \(task.model) on \(task.data) written to \(output)\n")
    } else {
      console.write(csv)
    }
  }

  /// The output a model was trained to classify with cross_entropy, if any.
  func classifierOutput(of model: String) -> String? {
    program.trainTasks.first { $0.model == model && $0.loss.kind == .crossEntropy }?.loss.output
  }
}
