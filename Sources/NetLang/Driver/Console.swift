// Console: where the driver's output goes. The CLI gives the real terminal; tests give a
// recorder. Stages never print; the driver writes through this.

/// An output sink for the driver.
public protocol Console: AnyObject {
  /// Writes to standard output.
  func write(_ text: String)
  /// Writes to standard error.
  func writeError(_ text: String)
  /// True when standard output is a terminal (progress bars are shown only then).
  var isTerminal: Bool { get }
}

/// A console that records everything, for tests.
public final class RecordingConsole: Console, @unchecked Sendable {
  public private(set) var output = ""
  public private(set) var errors = ""
  public let isTerminal = false
  public init() {}
  public func write(_ text: String) { output += text }
  public func writeError(_ text: String) { errors += text }
}
