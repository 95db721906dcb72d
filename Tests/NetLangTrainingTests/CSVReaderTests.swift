// CSVReaderTests: csv fields, labels, standardisation (numbers from numpy) and bad files.

import Testing

@testable import NetLangTraining

@Suite("csv data") struct CSVReaderTests {
  @Test(
    "iris: a field per column, features [4], species as classes", .enabled(if: TestFiles.haveData))
  func iris() throws {
    let data = try DataReader.load(
      .csv(path: TestFiles.data("iris.csv"), label: "species", standardize: .none))
    #expect(data.count == 150)
    #expect(data.classes == 3)
    #expect(
      data.fields.map(\.name) == [
        "sepal_length", "sepal_width", "petal_length", "petal_width", "species", "features",
      ])
    #expect(data.field(named: "species")?.kind == .classIndex)
    #expect(data.field(named: "features")?.shape == [4])
    #expect(data.field(named: "petal_width")?.shape == [])
    let features = try #require(data.values(named: "features"))
    #expect(Array(features[0..<4]) == [5.1, 3.5, 1.4, 0.2])
    #expect(data.values(named: "sepal_width")?.first == 3.5)
    #expect(
      try DataReader.inspect(
        .csv(path: TestFiles.data("iris.csv"), label: "species", standardize: .none))
        == data.schema)
  }

  @Test(
    "standardize own: mean 0 and population std 1 per feature", .enabled(if: TestFiles.haveData))
  func standardizeOwn() throws {
    let data = try DataReader.load(
      .csv(path: TestFiles.data("iris-train.csv"), label: "species", standardize: .own))
    let features = try #require(data.values(named: "features"))
    for column in 0..<4 {
      let values = stride(from: column, to: features.count, by: 4).map { Double(features[$0]) }
      let mean = values.reduce(0, +) / Double(values.count)
      let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
      #expect(abs(mean) < 1e-6)
      #expect(abs(variance - 1) < 1e-5)
    }
    #expect(data.values(named: "species")?.max() == 2)
  }

  @Test("standardize from the training set: numpy's numbers", .enabled(if: TestFiles.haveData))
  func standardizeFrom() throws {
    let train = DataSourceSpec.csv(
      path: TestFiles.data("iris-train.csv"), label: "species", standardize: .own)
    let statistics = try DataReader.featureStatistics(of: train)
    // numpy: tr[:, :4].mean(0), tr[:, :4].std(0)
    let mean = [5.82333333, 3.055, 3.75166667, 1.20083333]
    let std = [0.82520031, 0.4392892, 1.74685352, 0.75149804]
    for i in 0..<4 {
      #expect(abs(statistics.mean[i] - mean[i]) < 1e-7)
      #expect(abs(statistics.standardDeviation[i] - std[i]) < 1e-7)
    }
    let test = try DataReader.load(
      .csv(path: TestFiles.data("iris-test.csv"), label: "species", standardize: .from(train)))
    let first = try #require(test.values(named: "features"))
    let expected: [Float] = [-0.02827596, 2.15120245, -1.4607216, -1.33178435]
    for i in 0..<4 { #expect(abs(first[i] - expected[i]) < 1e-6) }
    #expect(test.values(named: "sepal_width")?.first == first[1])
  }

  @Test("a constant column has std 1, no label means every column is a feature")
  func constantColumn() throws {
    let path = TestFiles.write("a, b\n1, 5\n3, 5\r\n\n")
    let data = try DataReader.load(.csv(path: path, label: nil, standardize: .own))
    #expect(data.count == 2)
    #expect(data.values(named: "features") == [-1, 0, 1, 0])
    #expect(data.classes == nil)
    #expect(data.fields.map(\.name) == ["a", "b", "features"])
  }

  private func error(_ text: String, label: String? = "label") -> DataError? {
    do {
      _ = try DataReader.load(
        .csv(path: TestFiles.write(text, named: "bad.csv"), label: label, standardize: .none))
      return nil
    } catch { return error }
  }

  @Test("bad files give line, column and what was expected")
  func badFiles() throws {
    let missing = try #require(error("x,label\n1,0\n", label: "species"))
    #expect(missing.message == "no label column 'species'; the columns are 'x', 'label'")

    let short = try #require(error("x,y,label\n1,2,0\n1,2\n"))
    #expect(short.location == "line 3, column 4")
    #expect(short.message == "expected 3 columns as in the header, found 2")

    let long = try #require(error("x,label\n1,0\n1,0,7\n"))
    #expect(long.location == "line 3, column 5")
    #expect(long.message == "expected 2 columns as in the header, found 3")

    let word = try #require(error("x,label\n1,0\n2,0\nabc,1\n"))
    #expect(word.location == "line 4, column 1")
    #expect(word.message == "expected a number in column 'x', found 'abc'")

    let blank = try #require(error("x,label\n1,\n"))
    #expect(blank.location == "line 2, column 3")
    #expect(blank.message.contains("found an empty cell"))

    let fraction = try #require(error("x,label\n1,0\n1,1.5\n"))
    #expect(fraction.location == "line 3")
    #expect(
      fraction.message == "expected a class label (a whole number ≥ 0) in column 'label', found 1.5"
    )

    let negative = try #require(error("x,label\n1,-1\n"))
    #expect(negative.message.contains("found -1"))

    #expect(error("")?.message.contains("empty file") == true)
    #expect(error("\n\n")?.message.contains("empty file") == true)
    #expect(error("x,label\n")?.message.contains("no data rows") == true)
    #expect(error("x,x\n1,2\n", label: nil)?.message == "column 'x' appears twice")
    #expect(error("x,nan\n1,nan\n", label: nil)?.message.contains("found 'nan'") == true)
  }

  @Test("standardize with statistics of another column count is an error")
  func mismatchedStatistics() throws {
    let train = TestFiles.write("a,b,label\n1,2,0\n3,4,1\n")
    let test = TestFiles.write("a,label\n1,0\n")
    #expect(throws: DataError.self) {
      try DataReader.load(
        .csv(
          path: test, label: "label",
          standardize: .from(.csv(path: train, label: "label", standardize: .none))))
    }
  }
}
