// Watch: `netlang check --watch FILE` and `netlang run --watch FILE`. Polls the file and its
// imports; on every save re-checks and shows the diagnostics at once; for `run`, when the file
// checks clean, (re)starts the run in a child process, first stopping the previous one cleanly
// (SIGINT: it finishes its step and writes its checkpoint).

import Foundation
import NetLangTraining

extension Driver {
  func watch(_ invocation: Invocation) -> ExitStatus {
    let path = invocation.files[0]
    let interrupts = Interrupts()
    interrupts.install()
    defer { interrupts.uninstall() }
    var child: Process?
    var cycles = 0
    let maximumCycles = invocation.options["watch-cycles"].flatMap { Int($0) }
    var watched = [path]
    var stamp = ""
    while !interrupts.isRequested {
      let now = Driver.modificationStamp(watched)
      if now != stamp {
        stamp = now
        cycles += 1
        stop(&child)
        console.write("[watch] checking \(path)\n")
        let result = Frontend.check(
          path: path, readFile: Driver.readFile, inspectData: DataReader.inspect)
        watched = [path] + result.files.files.map(\.path).filter { $0 != path }
        if !result.diagnostics.isEmpty {
          console.writeError(DiagnosticRenderer(files: result.files).render(result.diagnostics))
        }
        if result.program != nil, !result.diagnostics.hasErrors {
          console.write("[watch] \(path): OK\n")
          if invocation.command == .run { child = startRun(invocation) }
        }
        if let maximumCycles, cycles >= maximumCycles { break }
        console.write("[watch] waiting for changes (Ctrl-C to stop)\n")
      }
      Thread.sleep(forTimeInterval: 0.25)
    }
    stop(&child)
    return interrupts.isRequested ? .interrupted : .success
  }

  /// A string that changes when any of `paths` is saved (size and modification time).
  static func modificationStamp(_ paths: [String]) -> String {
    paths.map { path in
      let attributes = try? FileManager.default.attributesOfItem(atPath: path)
      let date = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
      let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
      return "\(path):\(date):\(size)"
    }.joined(separator: "|")
  }

  /// Starts `netlang run` on the same file and options, without `--watch`, as a child.
  private func startRun(_ invocation: Invocation) -> Process? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var arguments = ["run", invocation.files[0]]
    for (name, value) in invocation.options.sorted(by: { $0.key < $1.key })
    where !["watch", "watch-cycles"].contains(name) {
      arguments.append("--" + name)
      if !value.isEmpty { arguments.append(value) }
    }
    process.arguments = arguments
    do {
      try process.run()
    } catch {
      console.writeError("netlang: error: cannot start the run: \(error)\n")
      return nil
    }
    return process
  }

  /// Stops a running child cleanly: SIGINT, then wait for it to write its checkpoint.
  private func stop(_ child: inout Process?) {
    guard let process = child else { return }
    if process.isRunning {
      console.write("[watch] stopping the previous run\n")
      process.interrupt()
      process.waitUntilExit()
    }
    child = nil
  }
}
