// SafeTensorsTests: round trips, a file from the Python package, broken files, atomic writes.

import Foundation
import Testing

@testable import NetLangTraining

@Suite("safetensors") struct SafeTensorsTests {
  let sample = [
    NamedTensor(name: "b", shape: [2], values: [0.5, -1]),
    NamedTensor(name: "a.weight", shape: [2, 2], values: [1, 2, 3, .pi]),
    NamedTensor(name: "s", shape: [], values: [7]),
    NamedTensor(name: "empty", shape: [0, 3], values: []),
  ]

  @Test("encode then decode gives the tensors back, sorted by name, with metadata")
  func roundTrip() throws {
    let bytes = SafeTensors.encode(sample, metadata: ["step": "12", "quote\"d": "line\nbreak"])
    #expect(Int(bytes[0]) % 8 == 0)  // header padded to a multiple of 8 bytes
    let contents = try SafeTensors.decodeContents(bytes)
    #expect(contents.tensors == sample.sorted { $0.name < $1.name })
    #expect(contents.metadata == ["step": "12", "quote\"d": "line\nbreak"])
  }

  @Test("the header is the documented JSON, offsets contiguous in name order")
  func headerLayout() throws {
    let bytes = SafeTensors.encode([NamedTensor(name: "x", shape: [1], values: [1])])
    let length = Int(bytes[0]) | Int(bytes[1]) << 8
    #expect(bytes[2..<8].allSatisfy { $0 == 0 })
    let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
    #expect(header == "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}" + "  ")
    #expect(Array(bytes[(8 + length)...]) == [0, 0, 0x80, 0x3F])
  }

  @Test("a file written by the Python safetensors package decodes to its values")
  func pythonFile() throws {
    let contents = try SafeTensors.decodeContents(SafeTensorsFixture.bytes, path: "fixture")
    #expect(contents.tensors == SafeTensorsFixture.tensors)
    #expect(contents.metadata == SafeTensorsFixture.metadata)
  }

  @Test("truncated or garbage files are errors, never crashes")
  func brokenFiles() throws {
    let good = SafeTensors.encode(sample)
    for length in [0, 5, 8, 20, good.count - 1] {
      #expect(throws: DataError.self) { try SafeTensors.decode(Array(good[0..<length]), path: "t") }
    }
    var hugeHeader = good
    hugeHeader[7] = 0x7F
    let error = try #require(
      catching { () throws(DataError) in
        _ = try SafeTensors.decode(hugeHeader, path: "big.safetensors")
      })
    #expect(error.path == "big.safetensors")
    #expect(error.message.contains("header length"))
    var random = SystemRandomNumberGenerator()
    for _ in 0..<200 {
      var bytes = good
      for _ in 0..<4 {
        bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(
          in: 0...255, using: &random)
      }
      _ = try? SafeTensors.decode(bytes)
    }
    func header(_ json: String, data: [UInt8] = []) -> [UInt8] {
      var text = Array(json.utf8)
      while text.count % 8 != 0 { text.append(32) }
      return (0..<8).map { UInt8(truncatingIfNeeded: text.count >> (8 * $0)) } + text + data
    }
    let cases = [
      "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}",
      "{\"x\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}",
      "{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
      "{\"x\":{\"dtype\":\"F32\",\"shape\":[1e300],\"data_offsets\":[0,4]}}",
      "{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}",
      "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}",
      "{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}",
      "{\"x\":[1,2,3]}",
      "[1]",
      "{\"x\":",
      String(repeating: "[", count: 10_000),
      "{\"__metadata__\":{\"k\":1}}",
    ]
    for json in cases {
      #expect(throws: DataError.self, "\(json.prefix(60))") {
        try SafeTensors.decode(header(json, data: [0, 0, 0, 0]))
      }
    }
    let fine = try SafeTensors.decode(
      header(
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"y\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]}}",
        data: [0, 0, 0x80, 0x3F]))
    #expect(fine.map(\.values) == [[1], [0]])
  }

  @Test("write is atomic: replaces the file, leaves no temporary, cleans up dead writers' ones")
  func atomicWrite() throws {
    let directory = TestFiles.directory()
    let path = directory + "/model.safetensors"
    try SafeTensors.write(sample, metadata: ["epoch": "1"], to: path)
    try SafeTensors.write(Array(sample.prefix(1)), to: path)
    #expect(try SafeTensors.read(path) == Array(sample.prefix(1)))
    // A temporary left by a process that no longer exists (pid 2³¹ − 2 is never alive here).
    let stale = directory + "/.model.safetensors.tmp-2147483646-1"
    _ = FileManager.default.createFile(atPath: stale, contents: Data([1, 2, 3]))
    try SafeTensors.write(sample, to: path)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["model.safetensors"])
    #expect(throws: DataError.self) {
      try SafeTensors.write(sample, to: "/nonexistent/dir/x.safetensors")
    }
    #expect(throws: DataError.self) { try SafeTensors.read(directory + "/missing.safetensors") }
  }
}

/// The DataError `body` throws, or nil.
func catching(_ body: () throws(DataError) -> Void) -> DataError? {
  do {
    try body()
    return nil
  } catch { return error }
}

@Suite("optimizer checkpoints") struct OptimizerStateTensorsTests {
  @Test("optimizer state survives a safetensors round trip")
  func roundTrip() throws {
    let state = OptimizerState(
      step: 7, buffers: ["w.exp_avg": [1, 2], "w.exp_avg_sq": [3, 4], "b.exp_avg": [5]])
    let weights = [NamedTensor(name: "w", shape: [2], values: [9, 9])]
    let bytes = SafeTensors.encode(
      weights + state.namedTensors(), metadata: state.metadata.merging(["epoch": "2"]) { a, _ in a }
    )
    let contents = try SafeTensors.decodeContents(bytes)
    #expect(try OptimizerState(tensors: contents.tensors, metadata: contents.metadata) == state)
    #expect(contents.tensors.first { $0.name == "w" }?.values == [9, 9])
    #expect(throws: DataError.self) {
      try OptimizerState(tensors: [], metadata: [OptimizerState.stepKey: "x"])
    }
  }
}
