// RuntimeDiagnostics: codes of errors found while compiling and running (E045x lowering,
// E05xx running). Each is rendered against the source line that caused it.

extension DiagnosticCode {
  public static let loweringFailed = DiagnosticCode(450, "lowering-failed")
  public static let nonFiniteValue = DiagnosticCode(502, "non-finite-value")
  public static let unreadableWeights = DiagnosticCode(503, "unreadable-weights")
  public static let invalidData = DiagnosticCode(504, "invalid-data")
  public static let unwritableOutput = DiagnosticCode(505, "unwritable-output")
  public static let gradientMismatch = DiagnosticCode(506, "gradient-mismatch")

  /// Every code the driver reports.
  public static let runtimeCodes: [DiagnosticCode] = [
    .loweringFailed, .nonFiniteValue, .unreadableWeights, .invalidData, .unwritableOutput,
    .gradientMismatch,
  ]
}
