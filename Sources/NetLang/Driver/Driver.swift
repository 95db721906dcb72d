// Driver: one function per command, from an Invocation to output on a Console and an exit
// status. It wires the stages together: Frontend (syntax + semantics) → Lowering → Training.

import Foundation
import NetLangTensor
import NetLangTraining

/// Runs netlang commands.
public final class Driver {
  let console: Console

  public init(console: Console) { self.console = console }

  /// Parses `arguments` (without the program name) and runs the command.
  public func main(_ arguments: [String]) -> ExitStatus {
    let invocation: Invocation
    do {
      invocation = try CommandLineParser.parse(arguments)
    } catch {
      console.writeError("netlang: error: \(error.message)\n")
      let topic = error.command.map { "help \($0.rawValue)" } ?? "--help"
      console.writeError("see 'netlang \(topic)'\n")
      return .usage
    }
    return execute(invocation)
  }

  /// Runs a parsed invocation.
  ///
  /// Commands compute with subnormal floats flushed to zero (see `Subnormals`); the calling
  /// thread's mode is restored when they return.
  public func execute(_ invocation: Invocation) -> ExitStatus {
    let flushed = Subnormals.setFlushed(true)
    defer { Subnormals.setFlushed(flushed) }
    switch invocation.command {
    case .help:
      if let topic = invocation.files.first, let command = CommandName(rawValue: topic) {
        console.write(Help.text(for: command))
      } else {
        console.write(Help.overview + "\n")
      }
      return .success
    case .version:
      console.write("netlang \(Help.version)\n")
      return .success
    case .check:
      if invocation.has("watch") { return watch(invocation) }
      return check(invocation.files)
    case .summary:
      return summary(invocation.files[0])
    case .run, .evaluate, .graph, .gradcheck:
      if invocation.command == .run, invocation.has("watch") { return watch(invocation) }
      return runCommand(invocation)
    case .predict:
      return predictCommand(invocation)
    case .export:
      return exportCommand(invocation)
    case .bench:
      return benchCommand(invocation)
    }
  }

  // MARK: Front end

  /// Reads, parses and checks a file; prints its diagnostics. Returns the result, or the exit
  /// status to stop with.
  func loadProgram(_ path: String) -> Result<FrontendResult, ExitStatus> {
    guard FileManager.default.fileExists(atPath: path) else {
      console.writeError("netlang: error: cannot read '\(path)': no such file\n")
      return .failure(.usage)
    }
    let result = Frontend.check(
      path: path, readFile: Driver.readFile, inspectData: DataReader.inspect)
    if !result.diagnostics.isEmpty {
      console.writeError(DiagnosticRenderer(files: result.files).render(result.diagnostics))
    }
    if result.diagnostics.hasErrors || result.program == nil {
      let dataFailure = result.diagnostics.contains {
        $0.severity == .error && $0.code.number >= 500 && $0.code.number < 600
      }
      return .failure(dataFailure ? .runtimeFailure : .checkFailed)
    }
    return .success(result)
  }

  /// The bytes of a file, or nil when it cannot be read.
  static func readFile(_ path: String) -> [UInt8]? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
      !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path)
    else { return nil }
    return [UInt8](data)
  }

  func check(_ paths: [String]) -> ExitStatus {
    var worst = ExitStatus.success
    for path in paths {
      switch loadProgram(path) {
      case .success(let result):
        let warnings = result.diagnostics.filter { $0.severity == .warning }.count
        let note = warnings == 0 ? "" : " (\(warnings) warning\(warnings == 1 ? "" : "s"))"
        console.write("\(path): OK\(note)\n")
      case .failure(let status):
        if worst == .success || status.rawValue < worst.rawValue { worst = status }
      }
    }
    return worst
  }

  func summary(_ path: String) -> ExitStatus {
    switch loadProgram(path) {
    case .failure(let status):
      return status
    case .success(let result):
      guard let program = result.program else { return .checkFailed }
      console.write(SummaryTable.render(program, files: result.files))
      return .success
    }
  }
}
