// TextReaderTests: character corpora, windows, vocabulary and bad text files.

import Testing

@testable import NetLangTraining

@Suite("text data") struct TextReaderTests {
  @Test("windows of seq characters and the same window shifted by one")
  func windows() throws {
    let path = TestFiles.write("abcabcabcab")  // 11 characters
    let data = try DataReader.load(.text(path: path, sequence: 3, heldout: 0, part: .training))
    #expect(data.count == 3)  // (11 − 1) / 3
    #expect(data.vocabulary?.characters == ["a", "b", "c"])
    #expect(data.classes == 3)
    #expect(
      data.fields == [
        DataField(name: "chars", shape: [3], kind: .classIndex),
        DataField(name: "next", shape: [3], kind: .classIndex),
      ])
    #expect(data.values[0] == [0, 1, 2, 0, 1, 2, 0, 1, 2])
    #expect(data.values[1] == [1, 2, 0, 1, 2, 0, 1, 2, 0])
    #expect(data.schema.vocabulary == 3)
  }

  @Test("the held-out part is the tail; the vocabulary is the whole file's")
  func heldout() throws {
    let path = TestFiles.write("aaaaaaaabcd")  // 11 characters, tail of 0.3: ⌊11·0.7⌋ = 7
    let data = try DataReader.load(.text(path: path, sequence: 2, heldout: 0.3, part: .heldout))
    #expect(data.count == 1)  // "abcd" → (4 − 1) / 2
    #expect(data.vocabulary?.decode(data.values[0].map { Int($0) }) == "ab")
    #expect(data.vocabulary?.decode(data.values[1].map { Int($0) }) == "bc")
    #expect(data.vocabulary?.count == 4)
  }

  @Test(
    "pride and prejudice: 75 characters, 90 % split as in the README",
    .enabled(if: TestFiles.haveData))
  func novel() throws {
    let path = TestFiles.data("pride-and-prejudice.txt")
    let train = try DataReader.load(.text(path: path, sequence: 64, heldout: 0.1, part: .training))
    let vocabulary = try #require(train.vocabulary)
    #expect(vocabulary.count == 75)
    #expect(train.count == (616_291 - 1) / 64)
    let first = vocabulary.decode(train.values[0][0..<64].map { Int($0) })
    #expect(first == "PRIDE AND PREJUDICE\n\nBy Jane Austen\n\n\n\nChapter 1\n\n\nIt is a truth")
    let held = try DataReader.load(.text(path: path, sequence: 64, heldout: 0.1, part: .heldout))
    #expect(held.count == (68_477 - 1) / 64)
    #expect(vocabulary.decode(held.values[0][0..<10].map { Int($0) }) == " perhaps, ")
    #expect(try vocabulary.encode("Mr. Darcy").count == 9)
    #expect(throws: DataError.self) { try vocabulary.encode("naïve") }
  }

  @Test("too short for a window, invalid UTF-8, empty file")
  func badText() throws {
    func error(_ bytes: [UInt8], sequence: Int = 4) -> DataError? {
      do {
        _ = try DataReader.load(
          .text(path: TestFiles.write(bytes), sequence: sequence, heldout: 0, part: .training))
        return nil
      } catch { return error }
    }
    #expect(error(Array("abcd".utf8))?.message.contains("too few for one window of seq 4") == true)
    #expect(error(Array("abcde".utf8)) == nil)
    let invalid = try #require(error(Array("ab".utf8) + [0xFF] + Array("cdefgh".utf8)))
    #expect(invalid.location == "byte 2")
    #expect(invalid.message.contains("invalid UTF-8"))
    #expect(error([])?.message.contains("empty file") == true)
  }
}
