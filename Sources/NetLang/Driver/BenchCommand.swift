// BenchCommand: `netlang bench`. (Issue 6; being built.)

extension Driver {
  func benchCommand(_ invocation: Invocation) -> ExitStatus {
    console.writeError("netlang: error: 'bench' is not available yet (issue 6)\n")
    return .usage
  }
}
