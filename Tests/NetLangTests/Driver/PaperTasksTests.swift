// PaperTasksTests: the 2006 autoencoder's pieces end to end on tiny generated data: mirror's
// decoder starts as the transposed encoder, pretraining lowers the RBMs' reconstruction error,
// compare logs both errors and writes its pictures, --plot writes an SVG.

import Foundation
import NetLangTraining
import Testing

@testable import NetLang

/// A 16-pixel autoencoder on 64 generated examples (4×4 "images" of two bars).
let tinyAutoencoder = """
  data bars = table(image: [
      [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1],
      [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], [0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0],
      [0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0], [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]],
      label: [0, 0, 0, 0, 1, 1, 1, 1])
  model AE {
      input image: [16]
      h = sigmoid(dense(image, 12))
      code = dense(h, 2)
      output reconstruction = mirror(code, to: image)
  }
  """

@Suite("pretrain, mirror and compare")
struct PaperTasksTests {
  @Test("before fine-tuning, each mirrored decoder weight is its encoder weight transposed")
  func mirroredWeights() throws {
    let source = tinyAutoencoder + "\npretrain AE on bars { epochs = 3\n batch = 4 }\n"
    let folder = try temporaryFolder(["ae.net": source])
    let weights = folder + "/w.safetensors"
    let (status, _, errors) = runNetlang(["run", folder + "/ae.net", "--quiet", "--save", weights])
    #expect(status == .success, "\(errors)")
    let tensors = Dictionary(
      uniqueKeysWithValues: try SafeTensors.read(weights).map { ($0.name, $0) })
    for encoder in ["h", "code"] {
      let w = try #require(tensors[encoder + ".weight"])
      let d = try #require(tensors["mirror_" + encoder + ".weight"])
      #expect(d.shape == [w.shape[1], w.shape[0]])
      let (rows, columns) = (w.shape[0], w.shape[1])
      for r in 0..<rows {
        for c in 0..<columns { #expect(d.values[c * rows + r] == w.values[r * columns + c]) }
      }
    }
    // Pretraining changed the encoder from its random start (RBM weights, not PyTorch init).
    let bias = try #require(tensors["mirror_h.bias"])
    #expect(bias.values.contains { $0 != 0 }, "decoder bias = the RBM's visible bias")
  }

  @Test("pretraining lowers each RBM's reconstruction error")
  func pretrainingLearns() throws {
    let source = tinyAutoencoder + "\npretrain AE on bars { epochs = 60\n batch = 4\n lr = 0.1 }\n"
    let folder = try temporaryFolder(["ae.net": source])
    let (status, _, _) = runNetlang([
      "run", folder + "/ae.net", "--quiet", "--log-json", folder + "/log.jsonl",
    ])
    #expect(status == .success)
    let events = try jsonLines(folder + "/log.jsonl").filter {
      $0["event"] as? String == "pretrain"
    }
    let first = events.filter { $0["layer"] as? String == "h" }.compactMap {
      $0["reconstruction_error"] as? Double
    }
    #expect(first.count == 60)
    #expect((first.last ?? .infinity) < 0.5 * (first.first ?? 0))
  }

  @Test("compare logs the model's and PCA's errors and writes the pictures")
  func compare() throws {
    let source =
      tinyAutoencoder + """

        train AE on bars {
            loss = bce(reconstruction, image)
            optimizer = adam(lr: 0.01)
            epochs = 200
            batch = 8
        }
        compare AE on bars {
            pca = 2
            codes = "code"
        }
        """
    let folder = try temporaryFolder(["ae.net": source])
    let (status, output, errors) = runNetlang([
      "run", folder + "/ae.net", "--quiet", "--log-json", folder + "/log.jsonl",
      "--plot", folder + "/loss.svg",
    ])
    #expect(status == .success, "\(errors)")
    #expect(output.contains("PCA (2)"))
    let event = try #require(
      try jsonLines(folder + "/log.jsonl").first { $0["event"] as? String == "compare" })
    let modelError = try #require(event["model_error"] as? Double)
    let pcaError = try #require(event["pca_error"] as? Double)
    #expect(event["components"] as? Int == 2)
    #expect(modelError >= 0 && pcaError >= 0)
    let png = try Data(contentsOf: URL(fileURLWithPath: folder + "/out/AE.reconstructions.png"))
    #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    let scatter = try String(contentsOfFile: folder + "/out/AE.codes.svg", encoding: .utf8)
    #expect(scatter.components(separatedBy: "<circle").count - 1 == 16)  // 8 codes + 8 PCA
    let plot = try String(contentsOfFile: folder + "/loss.svg", encoding: .utf8)
    #expect(plot.contains("<polyline"))
  }

  @Test("mirror refuses to walk back through a convolution, at the call")
  func mirrorThroughConvolution() throws {
    let source = """
      model M {
          input image: [1, 8, 8]
          c = flatten(conv2d(image, 2, kernel: 3))
          code = dense(c, 4)
          output r = mirror(code, to: image)
      }
      """
    let folder = try temporaryFolder(["m.net": source])
    let (status, _, errors) = runNetlang(["check", folder + "/m.net"])
    #expect(status == .checkFailed)
    #expect(errors.contains("error[E0308]: 'mirror' can only walk back through dense layers"))
  }
}
