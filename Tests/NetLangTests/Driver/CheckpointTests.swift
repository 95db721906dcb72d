// CheckpointTests: interrupt and resume. A run stopped mid-epoch (through the same path as
// Ctrl-C) and resumed from its checkpoint logs the same per-epoch losses, bit for bit, as one
// never interrupted; changed architectures and settings are refused; damaged files are errors.

import Foundation
import Testing

@testable import NetLang

/// A classifier on generated data with several steps per epoch, dropout and momentum, so a
/// resume must restore the data order, the dropout generator and the optimizer state.
let resumableSource = """
  data arms = spirals(arms: 3, points: 40, noise: 0.2, seed: 0)
  model Net {
      input x: [2]
      h = dropout(relu(dense(x, 16)), 0.2)
      output logits = dense(h, 3)
  }
  train Net on arms {
      loss      = cross_entropy(logits, label)
      optimizer = sgd(lr: 0.1, momentum: 0.9)
      batch     = 16
      epochs    = 4
      seed      = 2
  }
  """

/// (epoch, loss, accuracy) of every epoch event in a JSON Lines log.
func epochLosses(_ path: String) throws -> [[Double]] {
  try jsonLines(path).filter { $0["event"] as? String == "epoch" }.map {
    [
      Double($0["epoch"] as? Int ?? 0), $0["loss"] as? Double ?? .nan,
      $0["accuracy"] as? Double ?? .nan,
    ]
  }
}

@Suite("interrupt and resume")
struct CheckpointTests {
  @Test(
    "interrupted mid-epoch then resumed reproduces the uninterrupted losses exactly",
    arguments: [3, 8, 16])
  func resumeIsExact(stopAfter steps: Int) throws {
    let folder = try temporaryFolder(["net.net": resumableSource])
    let file = folder + "/net.net"
    let (full, _, _) = runNetlang(["run", file, "--quiet", "--log-json", folder + "/full.jsonl"])
    #expect(full == .success)
    let checkpoint = folder + "/run.checkpoint"
    let (stopped, output, _) = runNetlang([
      "run", file, "--quiet", "--checkpoint", checkpoint, "--stop-after-steps", "\(steps)",
      "--log-json", folder + "/part1.jsonl",
    ])
    #expect(stopped == .interrupted)
    #expect(output.contains("checkpoint written to \(checkpoint)"))
    let (resumed, _, errors) = runNetlang([
      "run", file, "--quiet", "--resume", checkpoint, "--checkpoint", checkpoint,
      "--log-json", folder + "/part2.jsonl",
    ])
    #expect(resumed == .success, "\(errors)")
    let expected = try epochLosses(folder + "/full.jsonl")
    let pieced = try epochLosses(folder + "/part1.jsonl") + epochLosses(folder + "/part2.jsonl")
    #expect(expected.count == 4)
    #expect(pieced == expected)
  }

  @Test("a changed architecture is refused, naming what changed")
  func architectureChange() throws {
    let folder = try temporaryFolder(["net.net": resumableSource])
    let checkpoint = folder + "/run.checkpoint"
    _ = runNetlang([
      "run", folder + "/net.net", "--quiet", "--checkpoint", checkpoint, "--stop-after-steps", "2",
    ])
    let changed = resumableSource.replacingOccurrences(of: "dense(x, 16)", with: "dense(x, 32)")
    try changed.write(toFile: folder + "/net.net", atomically: true, encoding: .utf8)
    let (status, _, errors) = runNetlang(["run", folder + "/net.net", "--resume", checkpoint])
    #expect(status == .runtimeFailure)
    #expect(errors.contains("the architecture of Net changed"))
    #expect(errors.contains("h.weight[16, 2]") && errors.contains("h.weight[32, 2]"))
  }

  @Test("changed settings: batch is refused, epochs and learning rate are allowed and reported")
  func settingsChange() throws {
    let folder = try temporaryFolder(["net.net": resumableSource])
    let checkpoint = folder + "/run.checkpoint"
    _ = runNetlang([
      "run", folder + "/net.net", "--quiet", "--checkpoint", checkpoint, "--stop-after-steps", "2",
    ])
    let (refused, _, errors) = runNetlang([
      "run", folder + "/net.net", "--resume", checkpoint, "--batch", "8",
    ])
    #expect(refused == .runtimeFailure)
    #expect(errors.contains("batch: 16 → 8"))
    let (allowed, output, _) = runNetlang([
      "run", folder + "/net.net", "--resume", checkpoint, "--epochs", "5", "--lr", "0.05",
      "--checkpoint", checkpoint,
    ])
    #expect(allowed == .success)
    #expect(output.contains("epochs: 4 → 5"))
    #expect(output.contains("lr: 0.1 → 0.05"))
  }

  @Test("a truncated or foreign checkpoint is an error with status 3, never a crash")
  func damagedCheckpoint() throws {
    let folder = try temporaryFolder(["net.net": resumableSource])
    let checkpoint = folder + "/run.checkpoint"
    _ = runNetlang([
      "run", folder + "/net.net", "--quiet", "--checkpoint", checkpoint, "--stop-after-steps", "2",
    ])
    let bytes = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
    for cut in [4, 20, bytes.count / 2, bytes.count - 3] {
      try bytes.prefix(cut).write(to: URL(fileURLWithPath: folder + "/cut.checkpoint"))
      let (status, _, errors) = runNetlang([
        "run", folder + "/net.net", "--resume", folder + "/cut.checkpoint",
      ])
      #expect(status == .runtimeFailure, "cut at \(cut)")
      #expect(errors.contains("cannot resume"))
    }
    // Plain weights (no training state) are not a checkpoint.
    _ = runNetlang(["run", folder + "/net.net", "--quiet", "--save", folder + "/w.safetensors"])
    let (status, _, errors) = runNetlang([
      "run", folder + "/net.net", "--resume", folder + "/w.safetensors",
    ])
    #expect(status == .runtimeFailure)
    #expect(errors.contains("not a netlang checkpoint"))
  }

  @Test("a checkpoint's weights load as plain weights by name")
  func checkpointWeightsLoad() throws {
    let folder = try temporaryFolder(["net.net": resumableSource])
    let checkpoint = folder + "/run.checkpoint"
    let (status, _, _) = runNetlang([
      "run", folder + "/net.net", "--quiet", "--checkpoint", checkpoint,
    ])
    #expect(status == .success)
    let (loaded, output, errors) = runNetlang([
      "run", folder + "/net.net", "--load", checkpoint, "--epochs", "1",
    ])
    #expect(loaded == .success, "\(errors)")
    #expect(output.contains("loaded 4 tensors"))
    #expect(output.contains("ignored the checkpoint's training state"))
    #expect(!output.contains("skipped"))
  }
}
