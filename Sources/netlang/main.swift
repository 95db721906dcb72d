// netlang: the command-line tool. Thin: argv → Driver → output + exit status.

import Foundation
import NetLang

/// The process's standard output and error.
final class StandardConsole: Console {
  let isTerminal = isatty(STDOUT_FILENO) == 1

  func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }

  func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }
}

let status = Driver(console: StandardConsole()).main(Array(CommandLine.arguments.dropFirst()))
exit(status.rawValue)
