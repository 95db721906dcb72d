// ExitStatus: the exit codes of every netlang command (grammar.md section 8).

/// How a command ended.
public enum ExitStatus: Int32, Error, Sendable {
  case success = 0
  /// The model file has errors, or a check (gradcheck) failed.
  case checkFailed = 1
  /// A bad command line.
  case usage = 2
  /// A failure while running: a data file, a divergence, a weights file.
  case runtimeFailure = 3
  case interrupted = 130
}
