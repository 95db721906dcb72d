// ImportTests: imports relative to the importing file, cycles (E0204), unreadable imports
// (E0205), and what imported files contribute.

import NetLangTraining
import Testing

@testable import NetLang

/// Runs the front end on `path` among in-memory `sources`.
func checkFiles(_ path: String, _ sources: [String: String]) -> FrontendResult {
  Frontend.check(
    path: path, readFile: { sources[$0].map { Array($0.utf8) } }, inspectData: fakeInspect)
}

@Test("imports are relative to the importing file and their names are visible")
func relativeImports() {
  let result = checkFiles(
    "app/main.net",
    [
      "app/main.net":
        "import \"lib/blocks.net\"\nmodel M {\n    input x: [4]\n    output y = mlp(x)\n}\n",
      "app/lib/blocks.net":
        "import \"../shared/consts.net\"\nblock mlp(x) {\n    return dense(x, width)\n}\n",
      "app/shared/consts.net": "let width = 3\nlet unused_here = 4\n",
    ])
  #expect(result.diagnostics.isEmpty, "\(rendered(result))")
  #expect(
    result.files.files.map(\.path) == [
      "app/main.net", "app/lib/blocks.net", "app/shared/consts.net",
    ])
  #expect(result.units.map(\.file.rawValue) == [2, 1, 0])
  #expect(result.program?.model(named: "M")?.nodes.last?.shape == [3])
}

@Test("importing a file twice is harmless")
func importTwice() {
  let result = checkFiles(
    "main.net",
    [
      "main.net": "import \"a.net\"\nimport \"b.net\"\nimport \"a.net\"\nlet z = x + y\n",
      "a.net": "let x = 1\n", "b.net": "import \"a.net\"\nlet y = 2\n",
    ])
  #expect(result.diagnostics.isEmpty, "\(rendered(result))")
  #expect(result.files.files.count == 3)
}

@Test("an import cycle is E0204 at the import that closes it")
func importCycle() {
  let result = checkFiles(
    "main.net",
    [
      "main.net": "import \"a.net\"\n", "a.net": "import \"b.net\"\n",
      "b.net": "import \"main.net\"\n",
    ])
  #expect(result.diagnostics.map(\.code) == [.importCycle])
  #expect(result.diagnostics.first?.message == "import cycle: main.net → a.net → b.net → main.net")
  #expect(result.files.describe(result.diagnostics[0].span) == "b.net:1:8")
  #expect(result.program == nil)
}

@Test("a missing import is E0205 at the path string; a missing main file is one error")
func missingImport() {
  let result = checkFiles("main.net", ["main.net": "import \"nowhere.net\"\n"])
  #expect(codes(result) == ["E0205 1:8"])
  let noMain = checkFiles("absent.net", [:])
  #expect(noMain.diagnostics.count == 1 && noMain.program == nil)
  #expect(
    DiagnosticRenderer(files: noMain.files).render(noMain.diagnostics).hasPrefix(
      "absent.net:1:1: error[E0205]"))
}

@Test("a name declared in two files is E0202; imported files get no unused warnings")
func importedNames() {
  let duplicate = checkFiles(
    "main.net", ["main.net": "import \"a.net\"\nlet x = 2\n", "a.net": "let x = 1\n"])
  #expect(codes(duplicate) == ["E0202 2:5"])
  let quiet = checkFiles(
    "main.net",
    [
      "main.net": "import \"a.net\"\n",
      "a.net": "model A {\n    input x: [2]\n    spare = relu(x)\n    output y = x\n}\n",
    ])
  #expect(quiet.diagnostics.isEmpty)
  #expect(quiet.program?.models.map(\.name) == ["A"])
}

@Test("parse errors stop before checking")
func parseErrorsStop() {
  let result = checkFiles("main.net", ["main.net": "let = 3\nlet y = unknown\n"])
  #expect(result.diagnostics.allSatisfy { $0.code.number < 200 })
  #expect(result.program == nil)
}

@Test("data paths are made relative to the declaring file; read errors are E0501")
func dataPaths() {
  let result = checkFiles(
    "proj/main.net",
    [
      "proj/main.net":
        "import \"data/sets.net\"\ndata local = csv(\"iris.csv\", standardize: true)\n",
      "proj/data/sets.net": "data train = idx(\"train-images\", labels: \"/abs/labels\")\n",
    ])
  #expect(result.diagnostics.isEmpty, "\(rendered(result))")
  #expect(
    result.program?.data(named: "train")?.spec
      == .idx(images: "proj/data/train-images", labels: "/abs/labels", scale: 1))
  #expect(
    result.program?.data(named: "local")?.spec
      == .csv(path: "proj/iris.csv", label: "label", standardize: .own))
  let broken = checkFiles("main.net", ["main.net": "data d = idx(\"missing-images\")\n"])
  #expect(codes(broken) == ["E0501 1:14"])
  #expect(broken.diagnostics.first?.message == "cannot read data: missing-images: no such file")
}

@Test("the main file keeps the path as written; imports resolve from its directory")
func mainPathAsWritten() {
  let result = checkFiles(
    "./proj/../proj/main.net",
    [
      "./proj/../proj/main.net": "import \"lib.net\"\nlet y = x\n",
      "proj/lib.net": "let x = 1\n",
    ])
  #expect(result.diagnostics.isEmpty, "\(rendered(result))")
  #expect(result.files.files.map(\.path) == ["./proj/../proj/main.net", "proj/lib.net"])
}
