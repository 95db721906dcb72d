// ExamplesCheckTests: every shipped example checks clean (no errors, no warnings) with the
// real data readers, and the models have the shapes their comments promise.

import Foundation
import NetLangTensor
import NetLangTraining
import Testing

@testable import NetLang

/// The repository's `examples` folder.
let examplesDirectory: URL = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent()  // NetLangTests
  .deletingLastPathComponent()  // Tests
  .deletingLastPathComponent()
  .appendingPathComponent("examples")

/// The example files, sorted.
let exampleNames: [String] =
  ((try? FileManager.default.contentsOfDirectory(atPath: examplesDirectory.path)) ?? [])
  .filter { $0.hasSuffix(".net") }.sorted()

/// Checks one example with the real file system and data readers.
func checkExample(_ name: String) -> FrontendResult {
  Frontend.check(
    path: examplesDirectory.appendingPathComponent(name).path,
    readFile: { path in FileManager.default.contents(atPath: path).map { Array($0) } },
    inspectData: DataReader.inspect)
}

@Test("every example checks clean", arguments: exampleNames)
func exampleChecksClean(name: String) {
  let result = checkExample(name)
  #expect(result.diagnostics.isEmpty, "\(rendered(result))")
  #expect(result.program?.tasks.isEmpty == false)
}

@Test("the LeNet example has the shapes of its comments")
func lenetExampleShapes() {
  guard exampleNames.contains("mnist_lenet.net") else { return }
  let result = checkExample("mnist_lenet.net")
  guard let model = result.program?.model(named: "LeNet") else {
    Issue.record("\(rendered(result))")
    return
  }
  // Model-level bindings (those inside the conv_pool block are named "h.c").
  let outer = model.bindings.filter { !$0.name.contains(".") }
  #expect(
    outer.map { model[$0.node].shape } == [
      [1, 28, 28], [6, 14, 14], [16, 7, 7], [784], [120], [84], [10],
    ])
  // conv 150 + bn 12, conv 2400 + bn 32, (784·120 + 120) + (120·84 + 84) + (84·10 + 10)
  #expect(model.parameterCount == 107_808)
}
