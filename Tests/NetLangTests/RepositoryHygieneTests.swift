// RepositoryHygieneTests: house rules the compiler cannot check: no source file over 600
// lines, no printing from library code (only the CLI writes, through its Console).

import Foundation
import Testing

/// The repository's Sources folder.
private let sourcesDirectory = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("Sources")

private func swiftFiles() -> [URL] {
  let enumerator = FileManager.default.enumerator(
    at: sourcesDirectory, includingPropertiesForKeys: nil)
  return (enumerator?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }
}

@Test("no source file is longer than 600 lines")
func sourceFilesAreSmall() throws {
  let files = swiftFiles()
  #expect(files.count > 50)
  for file in files {
    let lines = try String(contentsOf: file, encoding: .utf8).split(
      separator: "\n", omittingEmptySubsequences: false
    ).count
    #expect(lines <= 600, "\(file.lastPathComponent) has \(lines) lines")
  }
}

@Test("library code never prints; the CLI writes through its Console")
func noPrintInLibraries() throws {
  for file in swiftFiles() where !file.path.contains("/Sources/netlang/") {
    let text = try String(contentsOf: file, encoding: .utf8)
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    {
      let code = line.trimmingCharacters(in: .whitespaces)
      if code.hasPrefix("//") { continue }
      #expect(!code.hasPrefix("print("), "\(file.lastPathComponent):\(number + 1)")
    }
  }
}
