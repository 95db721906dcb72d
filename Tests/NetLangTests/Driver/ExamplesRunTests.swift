// ExamplesRunTests: every shipped example runs end to end for a couple of steps (the run is
// then interrupted through the same path as Ctrl-C): data readers, lowering, training,
// checkpointing. Full training belongs to the examples themselves, not to the tests.

import Foundation
import Testing

@testable import NetLang

@Suite("examples run", .serialized)
struct ExamplesRunTests {
  @Test("each example trains for two steps and stops cleanly", arguments: exampleNames)
  func runsBriefly(name: String) throws {
    let folder = try temporaryFolder([:])
    let (status, _, errors) = runNetlang([
      "run", examplesDirectory.appendingPathComponent(name).path, "--quiet", "--epochs", "1",
      "--stop-after-steps", "2", "--out", folder, "--checkpoint", folder + "/run.checkpoint",
    ])
    #expect(status == .interrupted || status == .success, "\(name): \(errors)")
    #expect(!errors.contains("error"), "\(name): \(errors)")
    if status == .interrupted {
      #expect(FileManager.default.fileExists(atPath: folder + "/run.checkpoint"))
    }
  }
}
