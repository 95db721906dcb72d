// SyntheticDataTests: xor, spirals, table and slice data sets against hand-computed values.

import Foundation
import NetLangTensor
import Testing

@testable import NetLangTraining

@Suite("generated data") struct SyntheticDataTests {
  @Test("xor: the four corners, y their exclusive or")
  func xorCorners() throws {
    let data = try DataReader.load(.xor(samples: 4, noise: 0, seed: 0))
    #expect(data.values(named: "x") == [0, 0, 0, 1, 1, 0, 1, 1])
    #expect(data.values(named: "y") == [0, 1, 1, 0])
    #expect(data.values(named: "label") == [0, 1, 1, 0])
    #expect(data.field(named: "y")?.shape == [1])
    #expect(data.field(named: "label") == DataField(name: "label", shape: [], kind: .classIndex))
    #expect(data.classes == 2)
  }

  @Test("xor with noise: corners repeated plus seeded normal noise")
  func xorNoise() throws {
    let data = try DataReader.load(.xor(samples: 10, noise: 0.1, seed: 7))
    var random = Random(seed: 7)
    let x = try #require(data.values(named: "x"))
    for example in 0..<10 {
      let corner = example % 4
      #expect(x[2 * example] == Float(Double(corner / 2) + 0.1 * random.normal()))
      #expect(x[2 * example + 1] == Float(Double(corner % 2) + 0.1 * random.normal()))
    }
    #expect(data.values(named: "y")?[9] == 1)
    #expect(try DataReader.load(.xor(samples: 10, noise: 0.1, seed: 7)).values == data.values)
    #expect(try DataReader.load(.xor(samples: 10, noise: 0.1, seed: 8)).values != data.values)
  }

  @Test("spirals without noise: r = linspace(0, 1), t = linspace(4j, 4j + 4)")
  func spirals() throws {
    let data = try DataReader.load(.spirals(arms: 3, points: 5, noise: 0, seed: 0))
    #expect(data.count == 15)
    #expect(data.classes == 3)
    let x = try #require(data.values(named: "x"))
    // arm 1, point 4: r = 1, t = 8; arm 2, point 2: r = 0.5, t = 10.
    #expect(x[2 * 9] == Float(sin(8.0)))
    #expect(x[2 * 9 + 1] == Float(cos(8.0)))
    #expect(x[2 * 12] == Float(0.5 * sin(10.0)))
    #expect(x[0] == 0 && x[1] == 0)
    #expect(data.values(named: "label") == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2])
    let noisy = try DataReader.load(.spirals(arms: 2, points: 3, noise: 0.2, seed: 1))
    var random = Random(seed: 1)
    _ = random.normal()
    let angle = 2 + 0.2 * random.normal()  // arm 0, point 1
    #expect(noisy.values[0][3] == Float(0.5 * cos(angle)))
  }

  @Test("table: one field per column; rows must agree")
  func table() throws {
    let data = try DataReader.load(
      .table(columns: [
        TableColumn(name: "x", rows: [[0, 1], [2, 3], [4, 5]]),
        TableColumn(name: "c", rows: [[2], [0], [1]], shape: [], kind: .classIndex),
      ]))
    #expect(data.count == 3)
    #expect(
      data.fields == [
        DataField(name: "x", shape: [2], kind: .real),
        DataField(name: "c", shape: [], kind: .classIndex),
      ])
    #expect(data.values == [[0, 1, 2, 3, 4, 5], [2, 0, 1]])
    #expect(data.classes == 3)
    #expect(throws: DataError.self) {
      try DataReader.load(
        .table(columns: [
          TableColumn(name: "x", rows: [[0], [1]]), TableColumn(name: "y", rows: [[0]]),
        ]))
    }
    #expect(throws: DataError.self) {
      try DataReader.load(.table(columns: [TableColumn(name: "x", rows: [[0], [1, 2]])]))
    }
    #expect(throws: DataError.self) {
      try DataReader.load(
        .table(columns: [TableColumn(name: "c", rows: [[0.5]], kind: .classIndex)]))
    }
  }

  @Test("slice: complementary parts of one seeded shuffle")
  func slice() throws {
    let base = DataSourceSpec.table(columns: [
      TableColumn(name: "v", rows: (0..<10).map { [Double($0)] })
    ])
    let head = try DataReader.load(.slice(base: base, from: 0, to: 0.8, shuffle: 1))
    let tail = try DataReader.load(.slice(base: base, from: 0.8, to: 1, shuffle: 1))
    #expect(head.count == 8 && tail.count == 2)
    #expect(try DataReader.inspect(.slice(base: base, from: 0.8, to: 1, shuffle: 1)).size == 2)
    var random = Random(seed: 1)
    let order = random.permutation(10).map(Float.init)
    #expect(head.values[0] + tail.values[0] == order)
    let plain = try DataReader.load(.slice(base: base, from: 0.25, to: 0.5, shuffle: -1))
    #expect(plain.values[0] == [3, 4])  // 2.5 rounds away from zero: 3 ..< 5
    #expect(throws: DataError.self) {
      try DataReader.load(.slice(base: base, from: 0.6, to: 0.5, shuffle: 0))
    }
  }
}
