// PredictTests: `netlang predict` and the `predict` task on a tiny model with known weights:
// the CSV must hold W·x + b (regression) or its softmax and argmax (classifier).

import Foundation
import NetLangTraining
import Testing

@testable import NetLang

@Suite("predict")
struct PredictTests {
  /// W = [[1, 2], [3, -1]], b = [0.5, -0.5] as a weights file.
  func writeWeights(_ path: String) throws {
    try SafeTensors.write(
      [
        NamedTensor(name: "y.weight", shape: [2, 2], values: [1, 2, 3, -1]),
        NamedTensor(name: "y.bias", shape: [2], values: [0.5, -0.5]),
      ], to: path)
  }

  func source(loss: String) -> String {
    """
    data points = table(x: [[1, 0], [0, 1], [2, 3]], t: [[0, 0], [0, 0], [0, 0]], label: [0, 1, 1])
    model Linear {
        input x: [2]
        output y = dense(x, 2)
    }
    train Linear on points { loss = \(loss) }
    predict Linear on points { out = "predictions.csv" }
    """
  }

  @Test("regression outputs are W·x + b, one row per example")
  func regression() throws {
    let folder = try temporaryFolder(["m.net": source(loss: "mse(y, t)")])
    try writeWeights(folder + "/w.safetensors")
    let (status, output, errors) = runNetlang([
      "predict", folder + "/m.net", "--load", folder + "/w.safetensors", "--data", "points",
    ])
    #expect(status == .success, "\(errors)")
    // x = (1,0): (1.5, 2.5); (0,1): (2.5, -1.5); (2,3): (8.5, 2.5)
    #expect(output == "index,y_0,y_1\n0,1.5,2.5\n1,2.5,-1.5\n2,8.5,2.5\n")
  }

  @Test("classifiers give the argmax and softmax probabilities")
  func classifier() throws {
    let folder = try temporaryFolder(["m.net": source(loss: "cross_entropy(y, label)")])
    try writeWeights(folder + "/w.safetensors")
    let (status, output, _) = runNetlang([
      "predict", folder + "/m.net", "--load", folder + "/w.safetensors", "--data", "points",
    ])
    #expect(status == .success)
    let rows = output.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    #expect(rows.first == ["index", "predicted", "p0", "p1"])
    #expect(rows.count == 4)
    // Logits (1.5, 2.5) → class 1 with p1 = 1/(1+e^-1) = 0.7310586.
    #expect(rows[1][1] == "1")
    #expect(abs((Double(rows[1][3]) ?? 0) - 0.7310586) < 1e-6)
    // Logits (8.5, 2.5) → class 0.
    #expect(rows[3][1] == "0")
  }

  @Test("the predict task writes its CSV beside the file after training")
  func task() throws {
    let folder = try temporaryFolder(["m.net": source(loss: "mse(y, t)")])
    let (status, output, errors) = runNetlang(["run", folder + "/m.net", "--quiet"])
    #expect(status == .success, "\(errors)")
    #expect(output.contains("written to \(folder)/predictions.csv"))
    let csv = try String(contentsOfFile: folder + "/predictions.csv", encoding: .utf8)
    #expect(csv.hasPrefix("index,y_0,y_1\n0,"))
    #expect(csv.split(separator: "\n").count == 4)
  }

  @Test("data without the model's input is an error listing the fields, status 3")
  func wrongData() throws {
    let text = source(loss: "mse(y, t)") + "\ndata other = waves(count: 2, steps: 3)\n"
    let folder = try temporaryFolder([
      "m.net": text.replacingOccurrences(
        of: "predict Linear on points { out = \"predictions.csv\" }", with: "")
    ])
    try writeWeights(folder + "/w.safetensors")
    let (status, _, errors) = runNetlang([
      "predict", folder + "/m.net", "--load", folder + "/w.safetensors", "--data", "other",
    ])
    #expect(status == .runtimeFailure)
    #expect(errors.contains("data 'other' has no field 'x' of shape [2]"))
    #expect(errors.contains("x [3, 1]"))
  }
}

@Suite("fine-tuning")
struct FreezeTests {
  @Test("freeze keeps a layer's parameters fixed while the others train")
  func freeze() throws {
    let source = xorSource.replacingOccurrences(
      of: "    seed      = 3\n", with: "    seed      = 3\n    freeze    = [hidden]\n")
    let folder = try temporaryFolder(["xor.net": source])
    let (status, _, errors) = runNetlang([
      "run", folder + "/xor.net", "--quiet", "--save", folder + "/trained.safetensors",
    ])
    #expect(status == .success, "\(errors)")
    // One step in: the frozen layer still has its initial weights, the other has moved little.
    _ = runNetlang([
      "run", folder + "/xor.net", "--quiet", "--stop-after-steps", "1",
      "--checkpoint", folder + "/early.checkpoint",
    ])
    let trained = Dictionary(
      uniqueKeysWithValues: try SafeTensors.read(folder + "/trained.safetensors").map {
        ($0.name, $0.values)
      })
    let early = Dictionary(
      uniqueKeysWithValues: try SafeTensors.read(folder + "/early.checkpoint").map {
        ($0.name, $0.values)
      })
    #expect(trained["hidden.weight"] != nil && trained["hidden.weight"] == early["hidden.weight"])
    #expect(trained["hidden.bias"] == early["hidden.bias"])
    #expect(trained["y.weight"] != early["y.weight"])
  }

  @Test("freezing a name that is not a layer is an error with the layers there are")
  func unknownLayer() throws {
    let source = xorSource.replacingOccurrences(
      of: "    seed      = 3\n", with: "    seed      = 3\n    freeze    = [hiden]\n")
    let folder = try temporaryFolder(["xor.net": source])
    let (status, _, errors) = runNetlang(["check", folder + "/xor.net"])
    #expect(status == .checkFailed)
    #expect(errors.contains("'freeze' needs a layer of XorNet (it has: hidden, y)"))
    #expect(errors.contains("did you mean 'hidden'?"))
  }
}

@Suite("PyTorch weights")
struct BatchNormCounterTests {
  @Test("saved batchnorm layers carry num_batches_tracked = steps taken; loading ignores it")
  func numBatchesTracked() throws {
    let source = """
      data d = spirals(arms: 3, points: 40)
      model Net {
          input x: [2]
          h = relu(batchnorm(dense(x, 8), name: "bn"))
          output logits = dense(h, 3)
      }
      train Net on d {
          loss = cross_entropy(logits, label)
          batch = 32
          epochs = 2
      }
      """
    let folder = try temporaryFolder(["n.net": source])
    let weights = folder + "/w.safetensors"
    let (status, _, errors) = runNetlang(["run", folder + "/n.net", "--quiet", "--save", weights])
    #expect(status == .success, "\(errors)")
    let tensors = try SafeTensors.read(weights)
    let counter = try #require(tensors.first { $0.name == "bn.num_batches_tracked" })
    #expect(counter.shape == [] && counter.values == [8])  // 2 epochs × ⌈120 / 32⌉ steps
    let (loaded, output, _) = runNetlang([
      "run", folder + "/n.net", "--load", weights, "--epochs", "1",
    ])
    #expect(loaded == .success)
    #expect(output.contains("loaded 8 tensors"))
    #expect(!output.contains("skipped"))
  }
}
