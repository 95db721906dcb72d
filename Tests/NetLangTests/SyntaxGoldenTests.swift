// SyntaxGoldenTests: every `Fixtures/diagnostics/E01xx-*.net` parses to exactly the rendered
// diagnostics in its `.expected` file.

import Testing

@testable import NetLang

@Suite("Syntax golden diagnostics") struct SyntaxGoldenTests {
  @Test("rendered syntax diagnostics match the fixture", arguments: fixtureNames(prefix: "E01"))
  func golden(fixture: String) {
    assertGolden(fixture: fixture)
  }

  @Test("there is a fixture for every syntax code")
  func everyCodeHasAFixture() {
    let names = fixtureNames(prefix: "E01")
    #expect(names.count >= 6)
    for code in DiagnosticCode.syntaxCodes {
      #expect(names.contains { $0.hasPrefix("E\(code)-") }, "no fixture for E\(code)")
    }
  }
}
