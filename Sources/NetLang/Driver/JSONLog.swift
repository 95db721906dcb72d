// JSONLog: `--log-json PATH` writes one JSON object per line (JSON Lines) per event: the run,
// each epoch, each evaluation. A tiny encoder of our own keeps key order stable.

import Foundation
import NetLangTraining

/// A JSON value with object keys in insertion order.
public indirect enum JSONValue: Equatable, Sendable {
  case string(String)
  case number(Double)
  case integer(Int)
  case bool(Bool)
  case null
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    lhs.encoded() == rhs.encoded()
  }

  /// Compact JSON text. Non-finite numbers become null (JSON has no NaN).
  public func encoded() -> String {
    switch self {
    case .string(let text): return JSONWriter.quoted(text)
    case .number(let value):
      guard value.isFinite else { return "null" }
      if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
      return String(value)
    case .integer(let value): return String(value)
    case .bool(let value): return value ? "true" : "false"
    case .null: return "null"
    case .array(let items): return "[" + items.map { $0.encoded() }.joined(separator: ",") + "]"
    case .object(let members):
      let body = members.map { JSONWriter.quoted($0.0) + ":" + $0.1.encoded() }
      return "{" + body.joined(separator: ",") + "}"
    }
  }
}

/// Appends JSON Lines to a file; a no-op when no path was given.
final class JSONLog {
  private let handle: FileHandle?

  /// Opens (truncating) `path`; nil path means no log. Throws when the file can't be created.
  init(path: String?) throws {
    guard let path else {
      handle = nil
      return
    }
    guard FileManager.default.createFile(atPath: path, contents: nil) else {
      throw JSONLogError(path: path)
    }
    handle = FileHandle(forWritingAtPath: path)
    if handle == nil { throw JSONLogError(path: path) }
  }

  func write(_ members: [(String, JSONValue)]) {
    guard let handle else { return }
    handle.write(Data((JSONValue.object(members).encoded() + "\n").utf8))
  }

  deinit { try? handle?.close() }
}

struct JSONLogError: Error {
  var path: String
}
