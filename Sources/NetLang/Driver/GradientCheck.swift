// GradientCheck: `netlang gradcheck FILE`. For a small batch of the first train task's data,
// compares every parameter's backpropagated gradient with central finite differences of the
// loss, and prints the worst relative error per parameter.
//
// Finite differences: (L(w + h) − L(w − h)) / 2h with h = 1e-2·max(1, |w|), from float32
// forward passes combined in double precision. Dropout uses the same mask in every pass (the
// generator is reset before each), so the loss is a fixed function of the weights. Near a
// kink (relu, max pooling) the two sides of the difference see different pieces; an element
// whose difference at h and at h/2 disagree by more than 10% is skipped as "at a kink".
// Relative error: |fd − g| / max(|fd|, |g|, 1e-3).

import Foundation
import NetLangGraph
import NetLangTensor
import NetLangTraining

extension Driver {
  func gradcheckCommand(
    _ program: CheckedProgram, files: SourceFiles, invocation: Invocation
  ) -> ExitStatus {
    let batch = invocation.options["batch"].flatMap { Int($0) } ?? 4
    let seed = invocation.options["seed"].flatMap { UInt64($0) } ?? 0
    let tolerance = invocation.options["tolerance"].flatMap { Double($0) } ?? 1e-2
    guard let task = program.tasks.compactMap({ task -> TrainTask? in
      if case .train(let train) = task { return train }
      return nil
    }).first else {
      console.writeError("netlang: error: gradcheck needs a train task in the file\n")
      return .checkFailed
    }
    var options = RunOptions(invocation)
    options.batch = batch
    options.quiet = true
    let log: JSONLog
    do { log = try JSONLog(path: nil) } catch { return .runtimeFailure }
    let session = Session(
      program: program, files: files, options: options, console: console, log: log)
    let data: Dataset
    let model: CompiledModel
    do {
      data = try session.dataset(task.data)
      model = try session.compiledModel(
        task.model, loss: task.loss, data: task.data, backward: true)
    } catch {
      return error.status
    }
    guard let graph = model.trainingGraph else { return .checkFailed }
    do {
      var random = Random(seed: seed)
      model.executor.initializeParameters(random: &random)
      let rows = Array(0..<min(batch, data.count))
      let fields = try graph.fieldIndices(in: data)
      try graph.feed(data, fields: fields, rows: rows[...])
      let checker = GradientChecker(graph: graph, seed: seed)
      let results = try checker.check()
      var worst = 0.0
      console.write(
        "gradcheck \(task.model) on \(rows.count) examples of \(task.data) "
          + "(tolerance \(tolerance)):\n")
      for result in results {
        worst = max(worst, result.worstError)
        let verdict = result.worstError <= tolerance ? "ok" : "FAILED"
        var line = "  \(result.name.padding(28))  worst \(EpochLine.format(result.worstError))"
        line += "  (\(result.checked) elements"
        line += result.skipped > 0 ? ", \(result.skipped) at kinks skipped)" : ")"
        console.write(line + "  \(verdict)\n")
      }
      if worst > tolerance {
        console.writeError(
          "netlang: error[E0506]: a gradient differs from finite differences by "
            + "\(EpochLine.format(worst)) (tolerance \(tolerance))\n")
        return .checkFailed
      }
      console.write("all gradients match\n")
      return .success
    } catch {
      console.writeError("netlang: error: gradcheck failed: \(error)\n")
      return .runtimeFailure
    }
  }
}

/// The finite-difference comparison for one executor holding one fed batch.
struct GradientChecker {
  struct Result {
    var name: String
    var worstError: Double
    var checked: Int
    var skipped: Int
  }

  let graph: TrainingGraph
  let seed: UInt64
  /// Elements compared per parameter (all of them for smaller tensors).
  var samples = 24

  func check() throws -> [Result] {
    let executor = graph.executor
    let dropoutState = executor.random
    func loss() throws -> Double {
      executor.random = dropoutState
      try executor.forward(training: true)
      return Double(executor.value(of: graph.loss)[0])
    }
    _ = try loss()
    executor.random = dropoutState
    try executor.forward(training: true)
    try executor.backward()
    var analytic: [(ParameterID, [Float])] = []
    for (index, parameter) in executor.graph.parameters.enumerated() where parameter.trainable {
      let id = ParameterID(index)
      if let gradient = executor.parameterGradient(id) { analytic.append((id, Array(gradient))) }
    }
    var sampler = Random(seed: seed &+ 17)
    var results: [Result] = []
    for (id, gradient) in analytic {
      let values = executor.parameterValue(id)
      let elements =
        values.count <= samples
        ? Array(0..<values.count) : Array(sampler.permutation(values.count).prefix(samples))
      var result = Result(name: executor.graph[id].name, worstError: 0, checked: 0, skipped: 0)
      for element in elements {
        let original = values[element]
        func difference(_ step: Double) throws -> Double {
          values[element] = Float(Double(original) + step)
          let plus = try loss()
          values[element] = Float(Double(original) - step)
          let minus = try loss()
          values[element] = original
          let actualStep = Double(Float(Double(original) + step)) - Double(Float(Double(original) - step))
          return (plus - minus) / actualStep
        }
        let step = 1e-2 * max(1, Double(abs(original)))
        let coarse = try difference(step)
        let fine = try difference(step / 2)
        let scale = max(abs(coarse), abs(fine), 1e-3)
        if abs(coarse - fine) / scale > 0.1 {
          result.skipped += 1
          continue
        }
        let exact = Double(gradient[element])
        let error = abs(fine - exact) / max(abs(fine), abs(exact), 1e-3)
        result.worstError = max(result.worstError, error)
        result.checked += 1
      }
      results.append(result)
    }
    return results
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }
}
