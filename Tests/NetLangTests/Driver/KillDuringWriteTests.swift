// KillDuringWriteTests: a run killed with SIGKILL at arbitrary moments, while it writes a
// checkpoint after every epoch, never leaves a damaged checkpoint: the file that is there
// always reads back whole (the old one or the new one), and the next run cleans up the
// killed writer's temporary file.

import Foundation
import NetLangTraining
import Testing

@testable import NetLang

/// The `netlang` executable built beside the test bundle, if there is one.
func builtExecutable() -> URL? {
  var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
  for _ in 0..<4 {
    directory.deleteLastPathComponent()
    let candidate = directory.appendingPathComponent("netlang")
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
      !isDirectory.boolValue
    {
      return candidate
    }
  }
  return nil
}

@Suite("killed while writing", .serialized)
struct KillDuringWriteTests {
  @Test("SIGKILL at any moment leaves a checkpoint that reads back whole")
  func killAtRandomMoments() throws {
    guard let executable = builtExecutable() else {
      Issue.record("netlang executable not found beside the tests")
      return
    }
    // A model with ~1.3M parameters, so each checkpoint takes a while to write.
    let source = """
      data d = spirals(arms: 3, points: 50)
      model Big {
          input x: [2]
          h = relu(dense(x, 1024))
          h = relu(dense(h, 1024))
          output logits = dense(h, 3)
      }
      train Big on d {
          loss = cross_entropy(logits, label)
          epochs = 1000
          batch = 150
      }
      """
    let folder = try temporaryFolder(["big.net": source])
    let checkpoint = folder + "/big.checkpoint"
    var random = SystemRandomNumberGenerator()
    var intact = 0
    for attempt in 0..<4 {
      let process = Process()
      process.executableURL = executable
      process.arguments = [
        "run", folder + "/big.net", "--quiet", "--checkpoint", checkpoint,
        "--checkpoint-every", "1", "--keep", "1",
      ]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      Thread.sleep(forTimeInterval: 1.5 + Double.random(in: 0..<1.5, using: &random))
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      #expect(process.terminationReason == .uncaughtSignal, "attempt \(attempt)")
      // Whatever periodic checkpoint exists must decode completely.
      let files = try FileManager.default.contentsOfDirectory(atPath: folder)
      for file in files where file.hasPrefix("big.checkpoint.epoch-") {
        let contents = try SafeTensors.readContents(folder + "/" + file)
        #expect(contents.tensors.contains { $0.name == "h.weight" })
        intact += 1
      }
    }
    #expect(intact > 0, "no checkpoint was written before the kills")
    // The next writer removes temporaries left by killed writers (".<name>.tmp-<pid>-<n>").
    for n in 0..<2000 {
      AtomicFile.removeStaleTemporaries(for: folder + "/big.checkpoint.epoch-\(n)")
    }
    let left = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
      $0.contains(".tmp-")
    }
    #expect(left.isEmpty, "\(left)")
  }
}
