// TestFiles: temporary files for reader tests and the location of the shipped data sets.

import Foundation

/// Scratch files and shared data for tests.
enum TestFiles {
  /// The shipped data sets (NETLANG_DATA, else /work/shared/data).
  static let dataDirectory =
    ProcessInfo.processInfo.environment["NETLANG_DATA"] ?? "/work/shared/data"

  /// True when the shipped data sets are present.
  static var haveData: Bool {
    FileManager.default.fileExists(atPath: dataDirectory + "/iris.csv")
  }

  static func data(_ name: String) -> String { dataDirectory + "/" + name }

  /// A fresh empty directory.
  static func directory() -> String {
    let path = NSTemporaryDirectory() + "netlang-training-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// One directory per test process for the files `write` makes.
  static let scratch = directory()

  /// Writes `bytes` to a new file named `name` and returns its path.
  static func write(_ bytes: [UInt8], named name: String = "file") -> String {
    let path = scratch + "/" + UUID().uuidString + "-" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
  }

  static func write(_ text: String, named name: String = "file") -> String {
    write(Array(text.utf8), named: name)
  }

  /// A big-endian IDX header.
  static func idxHeader(type: UInt8, dimensions: [UInt32]) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
    for dimension in dimensions {
      bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: dimension >> $0) }
    }
    return bytes
  }
}
