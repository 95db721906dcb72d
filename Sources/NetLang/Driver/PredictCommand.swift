// PredictCommand: `netlang predict FILE --load WEIGHTS --data NAME`. (Issue 7; being built.)

extension Driver {
  func predictCommand(_ invocation: Invocation) -> ExitStatus {
    console.writeError("netlang: error: 'predict' is not available yet (issue 7)\n")
    return .usage
  }
}
