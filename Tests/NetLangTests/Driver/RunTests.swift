// RunTests: `netlang run` end to end through the Driver on tiny data: convergence, the JSON
// log, determinism, weights round trip, and the errors of bad data and divergence.

import Foundation
import Testing

@testable import NetLang

/// Writes `files` (name → contents) into a fresh temporary folder and returns its path.
func temporaryFolder(_ files: [String: String]) throws -> String {
  let folder = FileManager.default.temporaryDirectory
    .appendingPathComponent("netlang-test-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  for (name, contents) in files {
    try contents.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
  }
  return folder.path
}

/// Runs netlang with `arguments`, returning status, stdout and stderr.
func runNetlang(_ arguments: [String]) -> (NetLang.ExitStatus, String, String) {
  let console = RecordingConsole()
  let status = Driver(console: console).main(arguments)
  return (status, console.output, console.errors)
}

/// The JSON objects of a JSON Lines file.
func jsonLines(_ path: String) throws -> [[String: Any]] {
  let text = try String(contentsOfFile: path, encoding: .utf8)
  return try text.split(separator: "\n").map { line in
    let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
    return object as? [String: Any] ?? [:]
  }
}

let xorSource = """
  data points = xor()
  model XorNet {
      input x: [2]
      hidden = tanh(dense(x, 8))
      output y = sigmoid(dense(hidden, 1))
  }
  train XorNet on points {
      loss      = mse(y, y)
      optimizer = sgd(lr: 0.5, momentum: 0.9)
      batch     = 4
      epochs    = 300
      seed      = 3
  }
  evaluate XorNet on points { metrics = [loss] }
  """

@Suite("netlang run")
struct RunTests {
  @Test("xor trains below an mse of 0.01 and logs run, epoch and evaluate events")
  func xorConverges() throws {
    let folder = try temporaryFolder(["xor.net": xorSource])
    let log = folder + "/log.jsonl"
    let (status, output, errors) = runNetlang([
      "run", folder + "/xor.net", "--log-json", log, "--quiet",
    ])
    #expect(status == .success, "\(errors)")
    #expect(output.contains("evaluate XorNet on points: loss"))
    let events = try jsonLines(log)
    #expect(events.first?["event"] as? String == "run")
    #expect(events.first?["seed"] as? Int == 3)
    let epochs = events.filter { $0["event"] as? String == "epoch" }
    #expect(epochs.count == 300)
    let evaluation = try #require(events.last)
    #expect(evaluation["event"] as? String == "evaluate")
    let loss = try #require(evaluation["loss"] as? Double)
    #expect(loss < 0.01)
    // The loss of an epoch is the mean of its batch losses: one batch here, so the last
    // epoch's loss is the loss before the last update, a little above the final one.
    let last = try #require(epochs.last?["loss"] as? Double)
    #expect(last >= loss && last < 0.02)
  }

  @Test("two runs with the same seed log identical losses")
  func deterministic() throws {
    let folder = try temporaryFolder(["xor.net": xorSource])
    var logs: [[Double]] = []
    for index in 0..<2 {
      let log = folder + "/log\(index).jsonl"
      let (status, _, _) = runNetlang([
        "run", folder + "/xor.net", "--log-json", log, "--quiet", "--epochs", "20",
      ])
      #expect(status == .success)
      logs.append(try jsonLines(log).compactMap { $0["loss"] as? Double })
    }
    #expect(logs[0].count == 21)
    #expect(logs[0] == logs[1])
    let (_, _, _) = runNetlang([
      "run", folder + "/xor.net", "--log-json", folder + "/other.jsonl", "--quiet",
      "--epochs", "20", "--seed", "4",
    ])
    let other = try jsonLines(folder + "/other.jsonl").compactMap { $0["loss"] as? Double }
    #expect(other != logs[0])
  }

  @Test("weights saved after training load for evaluate with the same loss")
  func saveAndLoad() throws {
    let folder = try temporaryFolder(["xor.net": xorSource])
    let weights = folder + "/xor.safetensors"
    let (status, output, _) = runNetlang([
      "run", folder + "/xor.net", "--save", weights, "--quiet", "--epochs", "50",
    ])
    #expect(status == .success)
    let (again, evaluated, errors) = runNetlang([
      "evaluate", folder + "/xor.net", "--load", weights, "--quiet",
    ])
    #expect(again == .success, "\(errors)")
    let trained = output.split(separator: "\n").last { $0.hasPrefix("evaluate") }
    let loaded = evaluated.split(separator: "\n").last { $0.hasPrefix("evaluate") }
    #expect(trained != nil && trained == loaded)
  }

  /// A model on xor data whose training diverges (lr 100), with `layers` (the dense layers
  /// before the output: name, units).
  static func divergingSource(_ layers: [(String, Int)]) -> String {
    var lines = ["data points = xor()", "model M {", "    input x: [2]"]
    var previous = "x"
    for (name, units) in layers {
      lines.append("    \(name) = dense(\(previous), \(units))")
      previous = name
    }
    lines.append("    output y = dense(\(previous), 1)")
    lines += ["}", "train M on points {", "    loss      = mse(y, y)"]
    lines += ["    optimizer = sgd(lr: 100)", "    epochs    = 50", "}"]
    return lines.joined(separator: "\n")
  }

  @Test("a diverging run stops with status 3 naming the epoch, step and the line of the op")
  func divergence() throws {
    // In wide.net g's 64×64 = 4096 weights are updated during the backward pass on one thread
    // (FusedUpdates.minimumElements): caught as well, on one thread and on two.
    let folder = try temporaryFolder([
      "xor.net": Self.divergingSource([("h", 4)]),
      "wide.net": Self.divergingSource([("h", 64), ("g", 64)]),
    ])
    let (status, _, errors) = runNetlang(["run", folder + "/xor.net", "--quiet"])
    #expect(status == .runtimeFailure)
    #expect(errors.contains("error[E0502]: training diverged"))
    #expect(errors.contains("at epoch"))
    #expect(errors.contains("xor.net:5:16"), "the output layer is the first to overflow")
    for threads in ["1", "2"] {
      let (status, _, errors) = runNetlang([
        "run", folder + "/wide.net", "--quiet", "--threads", threads,
      ])
      #expect(status == .runtimeFailure, "threads \(threads)")
      #expect(errors.contains("error[E0502]: training diverged"), "threads \(threads): \(errors)")
    }
  }

  @Test("a malformed csv row fails with status 3, the file and the line")
  func badCSV() throws {
    let folder = try temporaryFolder([
      "bad.csv": "a,b,label\n1,2,0\n3,x,1\n",
      "m.net": """
      data d = csv("bad.csv", label: "label")
      model M {
          input features: [2]
          output y = dense(features, 2)
      }
      train M on d { loss = cross_entropy(y, label) }
      """,
    ])
    let (status, _, errors) = runNetlang(["run", folder + "/m.net", "--quiet"])
    #expect(status == .runtimeFailure)
    #expect(errors.contains("bad.csv"))
    #expect(errors.contains("line 3"))
  }

  @Test("a label outside the classes stops with status 3 instead of trapping")
  func labelOutOfRange() throws {
    let folder = try temporaryFolder([
      "d.csv": "a,b,label\n1,2,0\n3,4,7\n",
      "m.net": """
      data d = csv("d.csv", label: "label")
      model M {
          input features: [2]
          output y = dense(features, 2)
      }
      train M on d { loss = cross_entropy(y, label) }
      """,
    ])
    let (status, _, errors) = runNetlang(["run", folder + "/m.net", "--quiet"])
    #expect(status == .runtimeFailure || status == .checkFailed, "\(errors)")
    #expect(errors.contains("error"))
  }
}

@Test("bench --profile lists the step's nodes and the optimizer with their times")
func benchProfileListsNodes() throws {
  let (status, output, errors) = runNetlang([
    "bench", "--only", "tiny", "--repetitions", "1", "--profile", "--threads", "1",
  ])
  #expect(status == .success, "\(errors)")
  let lines = output.split(separator: "\n").map(String.init)
  let timed = lines.filter { $0.contains(" us ") && $0.contains("%") }
  // tiny's weights are below FusedUpdates.minimumElements: all updated after the backward pass.
  #expect(timed.contains { $0.hasSuffix("  optimizer step") })
  #expect(timed.contains { $0.contains(" dense [16] per example") })
  #expect(timed.contains { $0.contains(" denseWeightGrad [16, 16]") })
  let total = lines.first { $0.contains("us/step in nodes and the optimizer") }
  let microseconds = total.flatMap { Double($0.split(separator: " ").first ?? "") } ?? 0
  #expect(microseconds > 0)
}

@Test("bench --scaling times 1 thread and N in turns and prints each workload's gain")
func benchScalingPrintsGains() throws {
  let (status, output, errors) = runNetlang([
    "bench", "--only", "tiny", "--repetitions", "2", "--scaling", "--threads", "2", "--json",
  ])
  #expect(status == .success, "\(errors)")
  let lines = output.split(separator: "\n").map(String.init)
  #expect(lines.count == 1)
  let object = try #require(
    lines.first.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
  #expect(object["workload"] as? String == "tiny")
  #expect(object["threads"] as? Int == 2)
  let one = try #require(object["examples_per_sec_1_thread"] as? Double)
  let many = try #require(object["examples_per_sec"] as? Double)
  let gain = try #require(object["gain"] as? Double)
  let (low, high) = try (
    #require(object["gain_min"] as? Double), #require(object["gain_max"] as? Double)
  )
  #expect(one > 0 && many > 0)
  #expect(low <= gain && gain <= high)

  // Without a second thread there is nothing to compare.
  let (single, _, message) = runNetlang(["bench", "--only", "tiny", "--scaling"])
  #expect(single == .usage)
  #expect(message.contains("--threads N"))
}

@Test("scaling: the sides take turns, and the gain is the median of each pair's own ratio")
func scalingResultTakesTurns() throws {
  var calls: [String] = []
  var oneRates: [Double] = [100, 200, 100, 50]
  var manyRates: [Double] = [150, 380, 170, 100]
  let result = ScalingResult.inTurns(
    workload: "w", batch: 8, threads: 2, repetitions: 4,
    one: {
      calls.append("1")
      return oneRates.removeFirst()
    },
    many: {
      calls.append("N")
      return manyRates.removeFirst()
    })
  #expect(calls == ["1", "N", "N", "1", "1", "N", "N", "1"])
  #expect(result.gains == [1.5, 1.9, 1.7, 2.0])
  // Gains 1.5, 1.7, 1.9, 2.0: the median 1.8; the medians' ratio (160 / 100) would be 1.6.
  #expect(result.json.contains("\"gain\": 1.800"))
  #expect(result.json.contains("\"gain_min\": 1.500, \"gain_max\": 2.000"))
  #expect(result.text.contains("gain 1.80 (1.50-2.00)"))
  // The best of each side: 380 / 200.
  #expect(result.json.contains("\"gain_of_best\": 1.900"))
  #expect(result.text.contains("best 200 and 380 ex/s, gain 1.90"))
}

@Test("run --profile adds up each train task's node times by call of the model, backward included")
func runProfileByCall() throws {
  let folder = try temporaryFolder(["xor.net": xorSource])
  let (status, output, errors) = runNetlang([
    "run", folder + "/xor.net", "--quiet", "--profile", "--epochs", "200",
  ])
  #expect(status == .success, "\(errors)")
  let lines = output.split(separator: "\n").map(String.init)
  #expect(lines.contains { $0.hasPrefix("profile of XorNet: ") })
  // Line 4 is `hidden = tanh(dense(x, 8))`, line 5 `output y = sigmoid(dense(hidden, 1))`.
  func entry(_ call: String) -> String? { lines.first { $0.contains("xor.net:" + call) } }
  for call in ["4:19  dense", "4:14  tanh", "5:24  dense", "5:16  sigmoid"] {
    let line = entry(call)
    #expect(line != nil, "no entry for \(call) in \(output)")
    // Both passes ran for each call: a backward time that is not zero.
    let backward = line?.split(separator: "backward ").last?.split(separator: " ").first
    #expect(backward.flatMap { Double($0) }.map { $0 > 0 } ?? false, "\(line ?? "")")
  }
  let shares = lines.compactMap { line -> Double? in
    guard line.contains("xor.net:"), let percent = line.split(separator: "%").first else {
      return nil
    }
    return Double(percent.split(separator: " ").last ?? "")
  }
  let total = shares.reduce(0, +)
  #expect(total > 80 && total <= 100.5, "shares \(shares)")
}
