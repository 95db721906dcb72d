// CommandLineTests: argv → Invocation, and the exit status of usage mistakes.

import Testing

@testable import NetLang

@Suite("command line")
struct CommandLineTests {
  @Test("a run with options parses into command, file and options")
  func parsesRun() throws {
    let invocation = try CommandLineParser.parse([
      "run", "model.net", "--epochs", "3", "--lr=0.5", "--quiet",
    ])
    #expect(invocation.command == .run)
    #expect(invocation.files == ["model.net"])
    #expect(invocation.options == ["epochs": "3", "lr": "0.5", "quiet": ""])
  }

  @Test(
    "mistakes are usage errors with a hint",
    arguments: [
      (["frobnicate"], "unknown command 'frobnicate'"),
      (["chek", "a.net"], "did you mean 'check'?"),
      (["run"], "missing FILE argument"),
      (["run", "a.net", "--epoch", "3"], "did you mean '--epochs'?"),
      (["run", "a.net", "--epochs"], "needs a value"),
      (["run", "a.net", "--epochs", "zero"], "whole number"),
      (["run", "a.net", "--lr", "-1"], "positive number"),
      (["run", "a.net", "b.net"], "unexpected argument 'b.net'"),
      (["model.net"], "use 'netlang run model.net'"),
    ])
  func usageErrors(arguments: [String], message: String) {
    #expect(throws: UsageError.self) { try CommandLineParser.parse(arguments) }
    do {
      _ = try CommandLineParser.parse(arguments)
    } catch {
      #expect(error.message.contains(message), "\(error.message)")
    }
  }

  @Test("usage errors exit with status 2 and print to stderr")
  func usageExitStatus() {
    let console = RecordingConsole()
    let status = Driver(console: console).main(["run"])
    #expect(status == .usage)
    #expect(console.errors.contains("netlang: error: missing FILE argument"))
    #expect(console.errors.contains("netlang help run"))
    #expect(console.output.isEmpty)
  }

  @Test("--help, help COMMAND and --version answer with status 0")
  func help() {
    for arguments in [["--help"], ["help", "run"], ["run", "--help"], ["--version"], []] {
      let console = RecordingConsole()
      #expect(Driver(console: console).main(arguments) == .success)
      #expect(!console.output.isEmpty)
    }
    let console = RecordingConsole()
    _ = Driver(console: console).main(["help", "run"])
    #expect(console.output.contains("--epochs N"))
  }

  @Test("a file that does not exist is a command-line error")
  func missingFile() {
    let console = RecordingConsole()
    #expect(Driver(console: console).main(["check", "/no/such/file.net"]) == .usage)
    #expect(console.errors.contains("cannot read '/no/such/file.net'"))
  }
}
