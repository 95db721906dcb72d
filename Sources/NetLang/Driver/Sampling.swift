// Sampling: the `sample` task. Generates text from a trained character model one character
// at a time: the context (the prime, then what was generated) fills the model's input window,
// the logits at the context's last position are divided by the temperature and sampled.

import Foundation
import NetLangGraph
import NetLangTensor
import NetLangTraining

extension Session {
  func sample(_ task: SampleTask) throws(RunFailure) {
    let data = try dataset(task.data)
    guard let vocabulary = data.vocabulary else {
      throw fail(.invalidData, "data '\(task.data)' is not a text corpus", at: task.span)
    }
    let model = try currentModel(task.model)
    let graph = model.lowered.graph
    guard let inputName = model.lowered.inputNames.first,
      let inputNode = graph.input(named: inputName),
      let outputName = graph.outputOrder.first, let outputNode = graph.output(outputName)
    else {
      throw fail(.invalidData, "model '\(task.model)' has no input or output", at: task.span)
    }
    let window = graph[inputNode].shape.elementCount
    let classes = graph[outputNode].shape.dimensions.last ?? 1
    let positions = graph[outputNode].shape.elementCount / max(1, classes)
    var context: [Int]
    do {
      context = try vocabulary.encode(task.prime)
    } catch {
      throw fail(.invalidData, "cannot sample: \(error)", at: task.span)
    }
    if context.isEmpty { context = [vocabulary.id(of: "\n") ?? 0] }
    var random = Random(seed: options.seed ?? task.seed)
    var generated: [Int] = []
    let executor = model.executor
    var probabilities = [Double](repeating: 0, count: classes)
    do {
      try executor.setBatchSize(1)
      for _ in 0..<task.length {
        let visible = Array(context.suffix(window))
        let input = try executor.inputBuffer(inputName)
        for i in 0..<input.count { input[i] = i < visible.count ? Float(visible[i]) : 0 }
        try executor.forward(training: false, computing: [outputNode])
        let logits = executor.value(of: outputNode)
        // The row of the last context position (a window model predicts at every step).
        let row = positions > 1 ? min(visible.count, positions) - 1 : 0
        var largest = -Double.infinity
        for c in 0..<classes { largest = max(largest, Double(logits[row * classes + c])) }
        var total = 0.0
        for c in 0..<classes {
          let scaled = (Double(logits[row * classes + c]) - largest) / max(task.temperature, 1e-6)
          probabilities[c] = exp(scaled)
          total += probabilities[c]
        }
        var pick = random.nextDouble() * total
        var next = classes - 1
        for c in 0..<classes {
          pick -= probabilities[c]
          if pick < 0 {
            next = c
            break
          }
        }
        generated.append(next)
        context.append(next)
      }
    } catch {
      throw fail(.invalidData, "cannot sample: \(error)", at: task.span)
    }
    let text = task.prime + vocabulary.decode(generated)
    console.write("sample \(task.model) (temperature \(task.temperature)):\n\(text)\n")
    log.write([
      ("event", .string("sample")), ("model", .string(task.model)), ("text", .string(text)),
    ])
  }
}
