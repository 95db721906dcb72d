// Golden: compares rendered text with a checked-in `.expected` file next to a fixture, the way
// swift-argument-parser's snapshots do. `NETLANG_RECORD=1 swift test` rewrites the expected
// files and fails with "recorded new baseline", so recording is never silent.

import Foundation
import Testing

@testable import NetLang

/// The `Tests/NetLangTests/Fixtures` folder, found from this file's path so that recording
/// writes back into the source tree (the folder is excluded from the test target).
let fixturesDirectory: URL = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent()  // Support
  .deletingLastPathComponent()  // NetLangTests
  .appendingPathComponent("Fixtures")

/// Produces the diagnostics of a fixture.
///
/// `files` already holds the fixture under its bare file name (so rendered paths do not depend on
/// the checkout); `directory` is the folder it was read from, for resolving imports.
typealias GoldenDiagnose = (_ files: inout SourceFiles, _ fixture: FileID, _ directory: URL) ->
  [Diagnostic]

/// The Syntax stage only: lex and parse the fixture.
func syntaxDiagnose(_ files: inout SourceFiles, _ fixture: FileID, _ directory: URL)
  -> [Diagnostic]
{
  var diagnostics: [Diagnostic] = []
  _ = Parser.parse(files[fixture], into: &diagnostics)
  return diagnostics
}

/// The names (without extension) of the `.net` fixtures in `Fixtures/<folder>` whose name
/// starts with `prefix`, sorted.
func fixtureNames(in folder: String = "diagnostics", prefix: String = "") -> [String] {
  let directory = fixturesDirectory.appendingPathComponent(folder)
  let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
  return names.filter { $0.hasSuffix(".net") && $0.hasPrefix(prefix) }
    .map { String($0.dropLast(".net".count)) }
    .sorted()
}

/// Reads `Fixtures/<folder>/<fixture>.net`, runs `diagnose`, renders the diagnostics with
/// `DiagnosticRenderer` and compares them with `<fixture>.expected`.
func assertGolden(
  fixture: String, in folder: String = "diagnostics", diagnose: GoldenDiagnose = syntaxDiagnose,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let directory = fixturesDirectory.appendingPathComponent(folder)
  let source = directory.appendingPathComponent(fixture + ".net")
  guard let data = FileManager.default.contents(atPath: source.path) else {
    Issue.record("missing fixture \(source.path)", sourceLocation: sourceLocation)
    return
  }
  var files = SourceFiles()
  let id = files.add(path: fixture + ".net", bytes: Array(data))
  let diagnostics = diagnose(&files, id, directory)
  let rendered = DiagnosticRenderer(files: files).render(diagnostics)
  assertGoldenText(
    rendered, expectedFile: directory.appendingPathComponent(fixture + ".expected"),
    sourceLocation: sourceLocation)
}

/// Compares `actual` with the contents of `expectedFile`, or rewrites the file when the
/// environment has `NETLANG_RECORD=1` (and records an issue saying so).
func assertGoldenText(
  _ actual: String, expectedFile: URL, sourceLocation: SourceLocation = #_sourceLocation
) {
  if ProcessInfo.processInfo.environment["NETLANG_RECORD"] == "1" {
    do {
      try Data(actual.utf8).write(to: expectedFile)
      Issue.record("recorded new baseline \(expectedFile.path)", sourceLocation: sourceLocation)
    } catch {
      Issue.record("could not write \(expectedFile.path): \(error)", sourceLocation: sourceLocation)
    }
    return
  }
  guard let data = FileManager.default.contents(atPath: expectedFile.path) else {
    Issue.record(
      "missing \(expectedFile.lastPathComponent); run with NETLANG_RECORD=1 to create it",
      sourceLocation: sourceLocation)
    return
  }
  let expected = String(decoding: data, as: UTF8.self)
  #expect(actual == expected, "\(expectedFile.lastPathComponent)", sourceLocation: sourceLocation)
}
