// FileBytes: reads a whole data file into memory, turning every failure into a DataError.

import Foundation

/// Reading whole files as bytes, with errors that name the file.
enum FileBytes {
  /// The bytes of the file at `path`; a missing file, a directory or an unreadable file throws.
  static func read(_ path: String) throws(DataError) -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw DataError(path: path, message: "no such file")
    }
    if isDirectory.boolValue {
      throw DataError(path: path, message: "is a directory, expected a file")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw DataError(path: path, message: "cannot read the file")
    }
    return [UInt8](data)
  }

  /// The first `count` bytes of the file (fewer if the file is shorter) and the file's size.
  static func readPrefix(_ path: String, count: Int) throws(DataError) -> (
    bytes: [UInt8], size: Int
  ) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw DataError(path: path, message: "no such file")
    }
    if isDirectory.boolValue {
      throw DataError(path: path, message: "is a directory, expected a file")
    }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw DataError(path: path, message: "cannot read the file")
    }
    defer { try? handle.close() }
    let size: Int
    do {
      size = Int(try handle.seekToEnd())
      try handle.seek(toOffset: 0)
      let data = try handle.read(upToCount: count) ?? Data()
      return ([UInt8](data), size)
    } catch {
      throw DataError(path: path, message: "cannot read the file")
    }
  }
}
