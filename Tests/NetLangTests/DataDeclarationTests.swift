// DataDeclarationTests: each data source of grammar.md section 6 resolved to its spec, tables
// with their computed schema, slices and standardisation by another set.

import NetLangTensor
import NetLangTraining
import Testing

@testable import NetLang

/// The spec of data set `name` after checking `source`.
func spec(_ source: String, _ name: String = "d") -> DataSourceSpec? {
  check(source).program?.data(named: name)?.spec
}

@Test("data sources with their defaults")
func dataDefaults() {
  #expect(spec("data d = xor()\n") == .xor(samples: 4, noise: 0, seed: 0))
  #expect(
    spec("data d = xor(noise: 0.1, samples: 100, seed: 3)\n")
      == .xor(samples: 100, noise: 0.1, seed: 3))
  #expect(spec("data d = spirals()\n") == .spirals(arms: 3, points: 100, noise: 0.2, seed: 0))
  #expect(
    spec("data d = text(\"a.txt\")\n")
      == .text(path: "a.txt", sequence: 64, heldout: 0.1, part: .training))
  #expect(spec("data d = idx(\"i\")\n") == .idx(images: "i", labels: nil, scale: 1))
  #expect(
    spec("data d = csv(\"x.csv\")\n") == .csv(path: "x.csv", label: "label", standardize: .none))
}

@Test("slices and standardisation refer to other data sets")
func slices() {
  let source = """
    data iris = csv("iris.csv", label: "species")
    data train = slice(iris, to: 0.8, shuffle: 1)
    data test = slice(iris, from: 0.8, shuffle: 1)
    data other = csv("other.csv", standardize: iris)
    """
  let result = check(source)
  #expect(result.diagnostics.isEmpty, "\(rendered(result))")
  let iris = DataSourceSpec.csv(path: "iris.csv", label: "species", standardize: .none)
  #expect(
    result.program?.data(named: "train")?.spec == .slice(base: iris, from: 0, to: 0.8, shuffle: 1))
  #expect(
    result.program?.data(named: "test")?.spec == .slice(base: iris, from: 0.8, to: 1, shuffle: 1))
  #expect(
    result.program?.data(named: "other")?.spec
      == .csv(path: "other.csv", label: "label", standardize: .from(iris)))
  #expect(result.program?.data(named: "train")?.schema.size == 120)
  #expect(
    codes(check("data iris = xor()\ndata d = slice(iris, from: 0.5, to: 0.5)\n")) == ["E0223 2:10"])
  #expect(codes(check("data d = slice(3)\n")) == ["E0203 1:16"])
}

@Test("a table's schema is computed from its rows")
func tables() {
  let result = check("data d = table(x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0])\n")
  #expect(result.diagnostics.isEmpty, "\(rendered(result))")
  guard let data = result.program?.data(named: "d") else { return }
  #expect(
    data.spec
      == .table(columns: [
        TableColumn(name: "x", rows: [[0, 0], [0, 1], [1, 0], [1, 1]]),
        TableColumn(name: "y", rows: [[0], [1], [1], [0]]),
      ]))
  #expect(
    data.schema
      == DataSchema(
        fields: [
          DataField(name: "x", shape: [2], kind: .real),
          DataField(name: "y", shape: [], kind: .classIndex),
        ], size: 4, classes: 2))
  #expect(codes(check("data d = table(x: [[0, 0], [1]])\n")) == ["E0223 1:19"])
  #expect(codes(check("data d = table(x: [1, 2], y: [1])\n")) == ["E0223 1:30"])
  #expect(codes(check("data d = table()\n")) == ["E0223 1:10"])
}

@Test("a data declaration must be a data set")
func dataKinds() {
  #expect(codes(check("data d = 3\n")) == ["E0203 1:10"])
  #expect(codes(check("data d = xor(samples: 0)\n")) == ["E0212 1:23"])
  #expect(codes(check("data d = text(\"a\", heldout: 1)\n")) == ["E0212 1:29"])
}
