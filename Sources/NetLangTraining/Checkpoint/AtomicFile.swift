// AtomicFile: replacing a file so that readers see the old or the new contents, never a mix:
// write a temporary file beside it, fsync, rename over the target, fsync the directory.

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Atomic whole-file writes.
public enum AtomicFile {
  /// Replaces the file at `path` with `bytes`.
  ///
  /// Removes temporary files that earlier writers
  /// of the same path left behind when they died. On failure the old file is untouched.
  public static func write(_ bytes: [UInt8], to path: String) throws(DataError) {
    let (directory, name) = split(path)
    removeStaleTemporaries(for: path)
    let temporary =
      directory + "/" + temporaryPrefix(name) + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw DataError(path: path, message: "cannot create a file in \(directory): \(lastError())")
    }
    var failure: String?
    bytes.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let written = Glibc.write(
          descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          failure = "cannot write: \(lastError())"
          return
        }
        offset += written
      }
    }
    if failure == nil && fsync(descriptor) != 0 { failure = "cannot sync to disk: \(lastError())" }
    if close(descriptor) != 0 && failure == nil { failure = "cannot close: \(lastError())" }
    if failure == nil && rename(temporary, path) != 0 {
      failure = "cannot replace the file: \(lastError())"
    }
    if let failure {
      unlink(temporary)
      throw DataError(path: path, message: failure)
    }
    let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
    if directoryDescriptor >= 0 {
      _ = fsync(directoryDescriptor)
      _ = close(directoryDescriptor)
    }
  }

  /// Deletes `.<name>.tmp-<pid>-<n>` files beside `path` whose writing process is gone.
  public static func removeStaleTemporaries(for path: String) {
    let (directory, name) = split(path)
    let prefix = temporaryPrefix(name)
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
      return
    }
    for entry in entries where entry.hasPrefix(prefix) {
      let rest = entry.dropFirst(prefix.count)
      guard let pid = rest.split(separator: "-").first.flatMap({ Int32($0) }) else { continue }
      if pid == getpid() { continue }
      if kill(pid, 0) != 0 && errno == ESRCH {
        unlink(directory + "/" + entry)
      }
    }
  }

  static func temporaryPrefix(_ name: String) -> String { "." + name + ".tmp-" }

  /// The directory ("." when none) and the last component of `path`.
  static func split(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let directory = String(path[..<slash])
    return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
  }

  private static func lastError() -> String { String(cString: strerror(errno)) }
}
