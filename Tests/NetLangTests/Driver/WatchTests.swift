// WatchTests: `netlang check --watch` re-checks when the file is saved.

import Foundation
import Testing

@testable import NetLang

@Suite("watch")
struct WatchTests {
  @Test("check --watch shows the error, then OK after the file is fixed")
  func recheckOnSave() async throws {
    let broken = xorSource.replacingOccurrences(of: "dense(hidden, 1)", with: "dense(hiden, 1)")
    let folder = try temporaryFolder(["xor.net": broken])
    let path = folder + "/xor.net"
    let fixer = Task {
      try await Task.sleep(for: .milliseconds(1200))
      try xorSource.write(toFile: path, atomically: true, encoding: .utf8)
    }
    let (status, output, errors) = runNetlang(["check", "--watch", path, "--watch-cycles", "2"])
    try await fixer.value
    #expect(status == .success)
    #expect(errors.contains("unknown name 'hiden'"))
    #expect(!errors.contains("can only be used"), "no cascade from the broken model")
    #expect(output.contains("[watch] \(path): OK"))
    #expect(output.components(separatedBy: "[watch] checking").count == 3)
  }
}
