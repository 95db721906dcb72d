// RobustnessTests: randomly damaged data files must load or throw a DataError, never crash.

import NetLangTensor
import Testing

@testable import NetLangTraining

@Suite("damaged files") struct RobustnessTests {
  /// `bytes` with a few bytes changed, dropped or duplicated, chosen by `random`.
  static func damage(_ bytes: [UInt8], _ random: inout Random) -> [UInt8] {
    var result = bytes
    for _ in 0..<(1 + random.nextInt(below: 4)) {
      guard !result.isEmpty else { break }
      let position = random.nextInt(below: result.count)
      switch random.nextInt(below: 4) {
      case 0: result[position] = UInt8(truncatingIfNeeded: random.nextBits())
      case 1: result.remove(at: position)
      case 2: result.insert(result[position], at: position)
      default: result = Array(result[0..<position])
      }
    }
    return result
  }

  /// Loads each damaged variant; any error must be a DataError naming the file.
  func survive(_ original: [UInt8], rounds: Int, spec: (String) -> DataSourceSpec) {
    var random = Random(seed: 11)
    for _ in 0..<rounds {
      let path = TestFiles.write(Self.damage(original, &random))
      do {
        _ = try DataReader.load(spec(path))
      } catch {
        #expect(error.path == path || error.path.isEmpty)
      }
    }
  }

  @Test("damaged csv files")
  func csv() {
    let text = "a,b,label\n1.5,2,0\n-3,4e2,1\n0,0,2\n"
    survive(Array(text.utf8), rounds: 150) { .csv(path: $0, label: "label", standardize: .own) }
  }

  @Test("damaged idx files")
  func idx() {
    let bytes = TestFiles.idxHeader(type: 8, dimensions: [2, 2, 2]) + [1, 2, 3, 4, 5, 6, 7, 8]
    survive(bytes, rounds: 150) { .idx(images: $0, labels: nil, scale: 1) }
  }

  @Test("damaged text files")
  func text() {
    survive(Array("héllo wörld, hello".utf8), rounds: 150) {
      .text(path: $0, sequence: 4, heldout: 0.2, part: .heldout)
    }
  }

  @Test("damaged safetensors files")
  func safetensors() {
    var random = Random(seed: 5)
    for _ in 0..<300 {
      _ = try? SafeTensors.decode(Self.damage(SafeTensorsFixture.bytes, &random))
    }
  }
}
