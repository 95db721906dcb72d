// SemanticGoldenTests: every `Fixtures/diagnostics/E02xx..E05xx-*.net` and `W02xx-*.net` checks
// to exactly the rendered diagnostics in its `.expected` file.

import Foundation
import Testing

@testable import NetLang

/// The whole front end on a fixture; imports are read from the fixture's folder and data is
/// inspected by `fakeInspect`.
func semanticDiagnose(_ files: inout SourceFiles, _ fixture: FileID, _ directory: URL)
  -> [Diagnostic]
{
  let main = files[fixture]
  let result = Frontend.check(
    path: main.path,
    readFile: { path in
      if path == main.path { return main.bytes }
      return FileManager.default.contents(atPath: directory.appendingPathComponent(path).path)
        .map { Array($0) }
    },
    inspectData: fakeInspect)
  files = result.files
  return result.diagnostics
}

/// Fixture names of the semantic stage.
let semanticFixtures = ["E02", "E03", "E04", "E05", "W02"].flatMap { fixtureNames(prefix: $0) }

@Suite("Semantic golden diagnostics") struct SemanticGoldenTests {
  @Test("rendered semantic diagnostics match the fixture", arguments: semanticFixtures)
  func golden(fixture: String) {
    assertGolden(fixture: fixture, diagnose: semanticDiagnose)
  }

  @Test("each fixture reports the code its name starts with")
  func fixtureCodes() {
    #expect(semanticFixtures.count >= 10)
    for fixture in semanticFixtures {
      var files = SourceFiles()
      let directory = fixturesDirectory.appendingPathComponent("diagnostics")
      let data =
        FileManager.default.contents(
          atPath: directory.appendingPathComponent(fixture + ".net").path) ?? Data()
      let id = files.add(path: fixture + ".net", bytes: Array(data))
      let diagnostics = semanticDiagnose(&files, id, directory)
      let first = diagnostics.first.map { ($0.severity == .warning ? "W" : "E") + "\($0.code)" }
      #expect(first == String(fixture.prefix(5)), "\(fixture)")
    }
  }
}

@Test("semantic codes are unique, in their ranges, with kebab-case names")
func semanticCodesAreUnique() {
  let codes = DiagnosticCode.semanticCodes
  #expect(Set(codes).count == codes.count)
  #expect(Set(codes.map(\.name)).count == codes.count)
  let warnings: Set<DiagnosticCode> = [.unusedBinding, .unusedInput, .unusedParameter, .unusedLoopVariable]
  let errors = codes.filter { !warnings.contains($0) }
  #expect(Set(errors.map(\.number)).count == errors.count)
  #expect(Set(warnings.map(\.number)).count == warnings.count)
  for code in codes {
    #expect((200..<600).contains(code.number), "\(code.name)")
    #expect(code.name.allSatisfy { $0.isLowercase || $0 == "-" }, "\(code.name)")
  }
  #expect(Set(codes.map(\.number)).isDisjoint(with: DiagnosticCode.syntaxCodes.map(\.number)))
}
