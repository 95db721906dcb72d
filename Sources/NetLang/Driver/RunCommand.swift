// RunCommand: `netlang run` and `netlang evaluate`: check the file, then run its tasks in
// order on one Session that keeps each model's weights from task to task.

import Foundation
import NetLangGraph
import NetLangTensor
import NetLangTraining

/// Command-line overrides and outputs of a run.
struct RunOptions {
  var epochs: Int?
  var batch: Int?
  var learningRate: Double?
  var seed: UInt64?
  var threads = WorkerPool.defaultThreads
  var save: String?
  var load: String?
  var logPath: String?
  var quiet = false
  /// `netlang evaluate`: skip train and sample tasks.
  var evaluateOnly = false
  /// Folder for files a run writes (checkpoints, pictures); default `out` beside the file.
  var out: String?
  var plot: String?
  /// Time every graph node while training and print the totals by source line.
  var profile = false
  var checkpoint: String?
  var checkpointEvery: Int?
  var keep = 1
  var resume: String?
  /// Tests: behave as if Ctrl-C was pressed after this many training steps.
  var stopAfterSteps: Int?

  init(_ invocation: Invocation) {
    epochs = invocation.options["epochs"].flatMap { Int($0) }
    batch = invocation.options["batch"].flatMap { Int($0) }
    learningRate = invocation.options["lr"].flatMap { Double($0) }
    seed = invocation.options["seed"].flatMap { UInt64($0) }
    threads = max(1, invocation.options["threads"].flatMap { Int($0) } ?? WorkerPool.defaultThreads)
    save = invocation.options["save"]
    load = invocation.options["load"]
    logPath = invocation.options["log-json"]
    quiet = invocation.has("quiet")
    evaluateOnly = invocation.command == .evaluate
    out = invocation.options["out"]
    plot = invocation.options["plot"]
    profile = invocation.has("profile")
    checkpoint = invocation.options["checkpoint"]
    checkpointEvery = invocation.options["checkpoint-every"].flatMap { Int($0) }
    keep = invocation.options["keep"].flatMap { Int($0) } ?? 1
    resume = invocation.options["resume"]
    stopAfterSteps = invocation.options["stop-after-steps"].flatMap { Int($0) }
  }
}

/// A failure while running, already rendered for the user.
struct RunFailure: Error {
  var status: ExitStatus
}

extension Driver {
  func runCommand(_ invocation: Invocation) -> ExitStatus {
    let path = invocation.files[0]
    let result: FrontendResult
    switch loadProgram(path) {
    case .failure(let status): return status
    case .success(let loaded): result = loaded
    }
    guard let program = result.program else { return .checkFailed }
    switch invocation.command {
    case .graph:
      return graphCommand(program, files: result.files, invocation: invocation)
    case .gradcheck:
      return gradcheckCommand(program, files: result.files, invocation: invocation)
    default:
      break
    }
    let options = RunOptions(invocation)
    if options.evaluateOnly, options.load == nil {
      console.writeError(
        "netlang: error: 'evaluate' needs trained weights: add --load PATH\n"
          + "see 'netlang help evaluate'\n")
      return .usage
    }
    let log: JSONLog
    do {
      log = try JSONLog(path: options.logPath)
    } catch {
      console.writeError("netlang: error: cannot write the log '\(options.logPath ?? "")'\n")
      return .runtimeFailure
    }
    let session = Session(
      program: program, files: result.files, options: options, console: console, log: log)
    session.sourcePath = path
    session.logRun(path: path, source: Driver.readFile(path) ?? [])
    do {
      let resume = try session.readResumeCheckpoint()
      for (index, task) in program.tasks.enumerated() {
        if let resume, index < resume.task { continue }
        try session.run(task, index: index, resume: resume?.task == index ? resume : nil)
      }
      try session.saveIfAsked()
    } catch {
      return error.status
    }
    return .success
  }
}
