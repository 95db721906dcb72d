// ExportCommand: `netlang export FILE --load WEIGHTS -o model.onnx`. (Issue 7; being built.)

extension Driver {
  func exportCommand(_ invocation: Invocation) -> ExitStatus {
    console.writeError("netlang: error: 'export' is not available yet (issue 7)\n")
    return .usage
  }
}
