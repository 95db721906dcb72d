// SettingsSeparatorTests: a task's settings may share a line when commas separate them.

import Testing

@testable import NetLang

@Test("settings on one line are separated by commas; without one it is E0104 at the next name")
func settingsOnOneLine() {
  var diagnostics: [Diagnostic] = []
  let file = SourceFile(
    path: "t.net", text: "train M on d { loss = mse(y, y), epochs = 3, batch = 4 }\n")
  let unit = Parser.parse(file, into: &diagnostics)
  #expect(diagnostics.isEmpty)
  guard case .taskDecl(let task) = unit.declarations.first else {
    Issue.record("no task")
    return
  }
  #expect(task.settings.map(\.name.name) == ["loss", "epochs", "batch"])

  var errors: [Diagnostic] = []
  let bad = SourceFile(path: "t.net", text: "train M on d { loss = mse(y, y) epochs = 3 }\n")
  _ = Parser.parse(bad, into: &errors)
  #expect(errors.map(\.code) == [.unexpectedToken])
  #expect(errors.first.map { bad.location(of: $0.span.start).column } == 33)
}
