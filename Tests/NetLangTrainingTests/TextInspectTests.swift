// TextInspectTests: the fast schema of an ASCII corpus equals the schema of the loaded data.

import Foundation
import NetLangTensor
import Testing

@testable import NetLangTraining

@Test("inspecting a text corpus gives the loaded data set's schema, for both parts")
func textInspectMatchesLoad() throws {
  let path = FileManager.default.temporaryDirectory
    .appendingPathComponent("netlang-text-\(UUID().uuidString).txt").path
  let text = String(repeating: "It is a truth universally acknowledged.\n", count: 40)
  try text.write(toFile: path, atomically: true, encoding: .utf8)
  for part in [TextPart.training, .heldout] {
    for sequence in [1, 7, 64] {
      let spec = DataSourceSpec.text(path: path, sequence: sequence, heldout: 0.1, part: part)
      let inspected = try DataReader.inspect(spec)
      let loaded = try DataReader.load(spec).schema
      #expect(inspected == loaded, "\(part) seq \(sequence)")
    }
  }
}
