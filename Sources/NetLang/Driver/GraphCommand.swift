// GraphCommand: `netlang graph FILE [--dot]`: the lowered forward and backward graph of a
// model, with the loss of its first train task.

import NetLangGraph

extension Driver {
  func graphCommand(
    _ program: CheckedProgram, files: SourceFiles, invocation: Invocation
  ) -> ExitStatus {
    guard let model = selectModel(program, invocation: invocation) else { return .usage }
    let (loss, data) = trainLoss(of: model.name, in: program)
    let target = data.flatMap { program.data(named: $0) }?.schema.fields.first {
      $0.name == loss?.target
    }
    do {
      let lowered = try Lowering.lower(
        model, loss: loss, targetShape: target?.shape,
        targetIsClass: target?.kind == .classIndex, backward: loss != nil)
      if invocation.has("dot") {
        console.write(GraphPrinter.dot(lowered.graph))
      } else {
        console.write("graph of \(model.name)\n" + GraphPrinter.text(lowered.graph))
      }
      return .success
    } catch {
      console.writeError(
        DiagnosticRenderer(files: files).render(
          .error(.loweringFailed, error.message, at: error.span)))
      return .checkFailed
    }
  }

  /// The model named by `--model`, or the first one; prints a usage error when unknown.
  func selectModel(_ program: CheckedProgram, invocation: Invocation) -> CheckedModel? {
    if let name = invocation.options["model"] {
      if let model = program.model(named: name) { return model }
      let names = program.models.map(\.name).joined(separator: ", ")
      console.writeError("netlang: error: no model '\(name)'; the file has: \(names)\n")
      return nil
    }
    guard let first = program.models.first else {
      console.writeError("netlang: error: the file declares no model\n")
      return nil
    }
    return first
  }

  /// The loss and data of a model's first train task (or evaluate task).
  func trainLoss(of model: String, in program: CheckedProgram) -> (LossSpec?, String?) {
    if let train = program.trainTask(of: model) { return (train.loss, train.data) }
    for task in program.tasks {
      if case .evaluate(let evaluate) = task, evaluate.model == model, let loss = evaluate.loss {
        return (loss, evaluate.data)
      }
    }
    return (nil, nil)
  }
}
