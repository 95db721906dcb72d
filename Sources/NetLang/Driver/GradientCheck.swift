// GradientCheck: `netlang gradcheck FILE`. For a small batch of the first train task's data,
// compares every parameter's backpropagated gradient (float32 executor) with central finite
// differences of the loss computed entirely in double precision by the ReferenceEvaluator,
// and prints the worst relative error per parameter.
//
// Finite differences: (L(w + h) − L(w − h)) / 2h with h = 1e-5·max(1, |w|), on a seeded sample
// of each parameter's elements (all of them for tensors of at most `samples` elements); the
// loss is evaluated again only from the nodes that depend on the perturbed parameter.
// Dropout uses the masks of the analytic training pass, so the loss is a fixed function of
// the weights; batchnorm uses batch statistics. Kinks (relu, leakyRelu, max-pool winners, the
// bce log clamp): the reference records every such piecewise decision. When w ± h changes any
// decision against the unperturbed pass, the difference straddles two pieces: h is retried
// at 1e-6 and 1e-7 (a big net has thousands of relu inputs, one of them is often within
// 1e-5 of 0), and the element is skipped as "at a kink" only if every step straddles one.
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
    guard
      let task = program.trainTasks.first
    else {
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
    // Analytic side: one float32 training pass and backward, dropout masks kept for the
    // reference passes.
    let dropoutState = executor.random
    try executor.forward(training: true)
    let masks = executor.dropoutMasks()
    try executor.backward()
    executor.random = dropoutState
    var analytic: [(ParameterID, [Float])] = []
    for (index, parameter) in executor.graph.parameters.enumerated() where parameter.trainable {
      let id = ParameterID(index)
      if let gradient = executor.parameterGradient(id) { analytic.append((id, Array(gradient))) }
    }

    // Numeric side: central differences of the double-precision reference loss.
    let reference = ReferenceEvaluator(graph: executor.graph)
    let inputs = executor.referenceInputs()
    var parameters = executor.referenceParameters()
    let batch = executor.batchSize
    let base = try reference.evaluate(
      nodes: [graph.loss], batch: batch, inputs: inputs, parameters: parameters,
      training: true, dropoutMasks: masks)
    /// The loss and kink signature with parameter `changed` perturbed (the rest reused).
    func loss(_ changed: ParameterID) throws -> (value: Double, kinks: UInt64) {
      let result = try reference.evaluate(
        nodes: [graph.loss], batch: batch, inputs: inputs, parameters: parameters,
        training: true, dropoutMasks: masks, reusing: base, changed: [changed])
      return (result.values[graph.loss]?.first ?? .nan, result.kinkSignature)
    }

    var sampler = Random(seed: seed &+ 17)
    var results: [Result] = []
    for (id, gradient) in analytic {
      let count = gradient.count
      let elements =
        count <= samples ? Array(0..<count) : Array(sampler.permutation(count).prefix(samples))
      var result = Result(name: executor.graph[id].name, worstError: 0, checked: 0, skipped: 0)
      for element in elements {
        guard let original = parameters[id]?[element] else { continue }
        var numeric: Double?
        for scale in [1e-5, 1e-6, 1e-7] {
          let step = scale * max(1, abs(original))
          parameters[id]?[element] = original + step
          let plus = try loss(id)
          parameters[id]?[element] = original - step
          let minus = try loss(id)
          parameters[id]?[element] = original
          if plus.kinks == base.kinkSignature && minus.kinks == base.kinkSignature {
            numeric = (plus.value - minus.value) / (2 * step)
            break
          }
        }
        guard let numeric else {
          result.skipped += 1
          continue
        }
        let exact = Double(gradient[element])
        let error = abs(numeric - exact) / max(abs(numeric), abs(exact), 1e-3)
        result.worstError = max(result.worstError, error.isNaN ? .infinity : error)
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
