// DataError: what went wrong reading a data file, with the place in it, for a diagnostic.

/// A data file that is missing, truncated or malformed, or data that breaks a rule.
public struct DataError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file concerned ("" for generated or inline data).
  public var path: String
  /// Where in the file: "line 12, column 3", "byte 16", "example 5"; nil when not known.
  public var location: String?
  /// What was wrong and what was expected, lower-case, e.g. "expected 785 columns, found 784".
  public var message: String

  public init(path: String, location: String? = nil, message: String) {
    self.path = path
    self.location = location
    self.message = message
  }

  /// "data/train.csv: line 12, column 3: expected a number, found 'abc'".
  public var description: String {
    var parts: [String] = []
    if !path.isEmpty { parts.append(path) }
    if let location { parts.append(location) }
    parts.append(message)
    return parts.joined(separator: ": ")
  }
}
