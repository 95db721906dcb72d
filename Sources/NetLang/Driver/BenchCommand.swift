// BenchCommand: `netlang bench`: the training-speed suite of examples/bench (issue 6). Each
// workload is a .net file run through the normal pipeline (check, lower, plan, execute) on
// random data of the right shape; a timed step is forward + backward + optimizer update.

import Foundation
import NetLangGraph
import NetLangTensor
import NetLangTraining

/// One benchmark: a .net file of examples/bench trained at one batch size.
struct BenchWorkload {
  var name: String
  var file: String
  var batch: Int
  /// Per-example items reported besides examples (characters of a sequence), with their unit.
  var itemsPerExample: (count: Int, unit: String)? = nil
}

/// The timings of one workload.
struct BenchResult {
  var workload: String
  var batch: Int
  var threads: Int
  /// examples/s per repetition.
  var rates: [Double]
  var microsecondsPerStep: Double
  var peakBytes: Int
  var itemsPerExample: (count: Int, unit: String)?
  /// With `--profile`: µs per step of each graph node (label, time) and of the optimizer.
  var profile: [(label: String, microseconds: Double)] = []

  var median: Double { Self.median(rates) }

  /// The median of `values` (the mean of the middle two for an even count; 0 for none).
  static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }
}

/// Why a workload could not run.
struct BenchFailure: Error {
  var message: String
}

extension Driver {
  /// The workloads in run order; `gemm` (W7) is handled apart.
  static let benchWorkloads: [BenchWorkload] = [
    BenchWorkload(name: "mlp", file: "mlp.net", batch: 64),
    BenchWorkload(name: "mlp", file: "mlp.net", batch: 256),
    BenchWorkload(name: "tiny", file: "tiny.net", batch: 8),
    BenchWorkload(name: "lenet", file: "lenet.net", batch: 64),
    BenchWorkload(name: "autoencoder", file: "autoencoder.net", batch: 100),
    BenchWorkload(name: "lstm", file: "lstm.net", batch: 32, itemsPerExample: (32, "chars")),
  ]

  static let benchNames = ["mlp", "tiny", "lenet", "autoencoder", "lstm", "rbm", "gemm"]

  func benchCommand(_ invocation: Invocation) -> ExitStatus {
    let threads = max(1, invocation.options["threads"].flatMap { Int($0) } ?? 1)
    let repetitions = max(1, invocation.options["repetitions"].flatMap { Int($0) } ?? 5)
    let json = invocation.has("json")
    let profiles = invocation.has("profile")
    var only = Self.benchNames
    if let list = invocation.options["only"] {
      only = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      if let unknown = only.first(where: { !Self.benchNames.contains($0) }) {
        console.writeError(
          "netlang: error: no workload '\(unknown)'; the workloads are "
            + Self.benchNames.joined(separator: ", ") + "\n")
        return .usage
      }
    }
    guard let directory = Self.benchDirectory() else {
      console.writeError(
        "netlang: error: cannot find examples/bench (run from the repository root)\n")
      return .runtimeFailure
    }
    let pool: WorkerPool? = threads > 1 ? WorkerPool(threads: threads) : nil
    if invocation.has("scaling") {
      guard let pool else {
        console.writeError("netlang: error: --scaling compares 1 thread with --threads N, N ≥ 2\n")
        return .usage
      }
      return scalingBench(
        only: only, directory: directory, pool: pool, repetitions: repetitions, json: json)
    }
    if !json {
      console.write(
        "netlang bench: \(threads) thread\(threads == 1 ? "" : "s"), \(repetitions) repetitions, "
          + "median (min-max) of examples/s\n")
    }
    var status = ExitStatus.success
    for workload in Self.benchWorkloads where only.contains(workload.name) {
      do {
        let result = try runBench(
          workload, directory: directory, pool: pool, threads: threads,
          repetitions: repetitions, profiles: profiles)
        console.write(json ? Self.benchJSON(result) : Self.benchLine(result))
        if profiles, !json { console.write(Self.profileTable(result)) }
      } catch {
        console.writeError("netlang: error: bench '\(workload.name)': \(error.message)\n")
        status = .runtimeFailure
      }
    }
    if only.contains("rbm") {
      let result = Self.runRBMBench(pool: pool, threads: threads, repetitions: repetitions)
      console.write(json ? Self.benchJSON(result) : Self.benchLine(result))
    }
    if only.contains("gemm") {
      for line in GemmBench.run(pool: pool, threads: threads, repetitions: repetitions) {
        console.write(json ? line.json : line.text)
      }
    }
    return status
  }

  /// `--scaling`: each workload at 1 thread and on `pool` in the same process, taking turns
  /// repetition by repetition, so both sides of a gain come from the same moments of a shared
  /// machine (W7 is not timed this way).
  func scalingBench(
    only: [String], directory: String, pool: WorkerPool, repetitions: Int, json: Bool
  ) -> ExitStatus {
    if !json {
      console.write(
        "netlang bench --scaling: 1 thread and \(pool.threads) threads in turns, "
          + "\(repetitions) repetitions each; median (min-max)\n")
    }
    var status = ExitStatus.success
    for workload in Self.benchWorkloads where only.contains(workload.name) {
      do {
        let one = try prepareBench(workload, directory: directory, pool: nil)
        let many = try prepareBench(workload, directory: directory, pool: pool)
        let steps = (one: try one.warmUp(), many: try many.warmUp())
        let examples = Double(workload.batch)
        let result = try ScalingResult.inTurns(
          workload: workload.name, batch: workload.batch, threads: pool.threads,
          repetitions: repetitions,
          one: { () throws(BenchFailure) in
            examples * Double(steps.one) / (try one.time(steps: steps.one))
          },
          many: { () throws(BenchFailure) in
            examples * Double(steps.many) / (try many.time(steps: steps.many))
          })
        console.write(json ? result.json : result.text)
      } catch {
        console.writeError("netlang: error: bench '\(workload.name)': \(error.message)\n")
        status = .runtimeFailure
      }
    }
    if only.contains("rbm") {
      let one = RBMBench(pool: nil)
      let many = RBMBench(pool: pool)
      let result = ScalingResult.inTurns(
        workload: "rbm", batch: RBMBench.batch, threads: pool.threads, repetitions: repetitions,
        one: one.rate, many: many.rate)
      console.write(json ? result.json : result.text)
    }
    return status
  }

  /// examples/bench next to the working directory or above the executable.
  static func benchDirectory() -> String? {
    var candidates = [FileManager.default.currentDirectoryPath + "/examples/bench"]
    var url = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
    for _ in 0..<5 {
      url = url.deletingLastPathComponent()
      candidates.append(url.path + "/examples/bench")
    }
    return candidates.first { FileManager.default.fileExists(atPath: $0 + "/mlp.net") }
  }

  /// Compiles the first train task of the workload's file and times training steps.
  func runBench(
    _ workload: BenchWorkload, directory: String, pool: WorkerPool?, threads: Int,
    repetitions: Int, profiles: Bool = false
  ) throws(BenchFailure) -> BenchResult {
    Self.resetPeakMemory()
    let stepper = try prepareBench(workload, directory: directory, pool: pool)
    let steps = try stepper.warmUp()
    var rates: [Double] = []
    for _ in 0..<repetitions {
      rates.append(Double(steps * workload.batch) / (try stepper.time(steps: steps)))
    }
    let sorted = rates.sorted()
    let median = sorted[sorted.count / 2]
    var result = BenchResult(
      workload: workload.name, batch: workload.batch, threads: threads, rates: rates,
      microsecondsPerStep: Double(workload.batch) / median * 1e6,
      peakBytes: Self.peakMemory(), itemsPerExample: workload.itemsPerExample)
    if profiles { result.profile = try stepper.profile(steps: steps) }
    return result
  }

  /// The workload's first train task compiled and planned for `pool`, its inputs random.
  func prepareBench(
    _ workload: BenchWorkload, directory: String, pool: WorkerPool?
  ) throws(BenchFailure) -> BenchStepper {
    let path = directory + "/" + workload.file
    guard case .success(let loaded) = loadProgram(path), let program = loaded.program else {
      throw BenchFailure(message: "\(path) does not check")
    }
    guard let task = program.trainTasks.first, let model = program.model(named: task.model) else {
      throw BenchFailure(message: "\(path) has no train task")
    }
    let field = program.data(named: task.data)?.schema.fields.first {
      $0.name == task.loss.target
    }
    let lowered: LoweredModel
    do {
      lowered = try Lowering.lower(
        model, loss: task.loss, targetShape: field?.shape,
        targetIsClass: field?.kind == .classIndex && task.loss.kind == .crossEntropy,
        backward: true)
    } catch {
      throw BenchFailure(message: error.message)
    }
    guard let lossNode = lowered.loss else { throw BenchFailure(message: "no loss") }
    let executor = Executor(graph: lowered.graph, maxBatch: workload.batch, pool: pool)
    var random = Random(seed: 1)
    executor.initializeParameters(random: &random)
    try Self.fillInputs(executor, random: &random)
    let training = TrainingGraph(
      executor: executor, inputNames: lowered.inputNames, loss: lossNode, accuracy: nil)
    return BenchStepper(
      executor: executor, parameters: training.parameterBuffers(),
      optimizer: makeOptimizer(task.optimizer),
      learningRate: Float(task.optimizer.learningRate))
  }

  /// The `--profile` table: the nodes and the optimizer by time, with their shares.
  static func profileTable(_ result: BenchResult) -> String {
    let total = result.profile.reduce(0) { $0 + $1.microseconds }
    var text = String(format: "  %.1f us/step in nodes and the optimizer:\n", total)
    for entry in result.profile.sorted(by: { $0.microseconds > $1.microseconds }) {
      let share = total > 0 ? 100 * entry.microseconds / total : 0
      guard share >= 0.5 else { continue }
      text += String(format: "  %9.1f us %5.1f%%  ", entry.microseconds, share) + entry.label + "\n"
    }
    return text
  }

  /// W6: one 784×500 RBM (Bernoulli units), CD-1 on batches of 100, through the pretraining
  /// API (RBMs are not written in .net files).
  static func runRBMBench(pool: WorkerPool?, threads: Int, repetitions: Int) -> BenchResult {
    resetPeakMemory()
    let bench = RBMBench(pool: pool)
    let rates = (0..<repetitions).map { _ in bench.rate() }
    let median = rates.sorted()[rates.count / 2]
    return BenchResult(
      workload: "rbm", batch: RBMBench.batch, threads: threads, rates: rates,
      microsecondsPerStep: Double(RBMBench.batch) / median * 1e6, peakBytes: peakMemory())
  }

  /// Random inputs: class indices where a cross-entropy or an embedding reads them, values in
  /// [0, 1) elsewhere.
  static func fillInputs(_ executor: Executor, random: inout Random) throws(BenchFailure) {
    let graph = executor.graph
    var classes: [NodeID: Int] = [:]
    for node in graph.nodes {
      switch node.op {
      case .softmaxCrossEntropy:
        classes[node.inputs[1]] = graph[node.inputs[0]].shape.dimensions.last ?? 1
      case .embedding:
        classes[node.inputs[0]] = graph[node.inputs[1]].shape[0]
      default:
        break
      }
    }
    for (i, node) in graph.nodes.enumerated() {
      guard case .input(let name) = node.op else { continue }
      let buffer: UnsafeMutableBufferPointer<Float>
      do {
        buffer = try executor.inputBuffer(name)
      } catch {
        throw BenchFailure(message: error.description)
      }
      if let count = classes[NodeID(i)] {
        for j in buffer.indices { buffer[j] = Float(random.nextInt(below: count)) }
      } else {
        for j in buffer.indices { buffer[j] = Float(random.uniform(0, 1)) }
      }
    }
  }

  static func now() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
  }

  /// Resets the kernel's peak resident set size of this process (Linux: clear_refs 5).
  static func resetPeakMemory() {
    if let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
      handle.write(Data("5".utf8))
      try? handle.close()
    }
  }

  /// Peak resident set size in bytes (VmHWM), 0 when unknown.
  static func peakMemory() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
      return 0
    }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      let digits = line.split(separator: " ").compactMap { Int($0) }
      return (digits.first ?? 0) * 1024
    }
    return 0
  }

  static func benchLine(_ result: BenchResult) -> String {
    let rates = result.rates.sorted()
    func number(_ value: Double) -> String { String(format: "%.0f", value) }
    var line =
      "\(result.workload.padding(toLength: 12, withPad: " ", startingAt: 0)) batch "
      + "\(String(result.batch).padding(toLength: 4, withPad: " ", startingAt: 0)) "
      + "\(number(result.median)) ex/s (\(number(rates.first ?? 0))-\(number(rates.last ?? 0))), "
      + String(format: "%.1f", result.microsecondsPerStep) + " us/step, peak "
      + String(format: "%.1f", Double(result.peakBytes) / 1_048_576) + " MiB"
    if let items = result.itemsPerExample {
      line += ", \(number(result.median * Double(items.count))) \(items.unit)/s"
    }
    return line + "\n"
  }

  static func benchJSON(_ result: BenchResult) -> String {
    let rates = result.rates.sorted()
    var line =
      "{\"workload\": \"\(result.workload)\", \"batch\": \(result.batch), "
      + "\"threads\": \(result.threads), "
      + "\"examples_per_sec\": \(String(format: "%.1f", result.median)), "
      + "\"examples_per_sec_min\": \(String(format: "%.1f", rates.first ?? 0)), "
      + "\"examples_per_sec_max\": \(String(format: "%.1f", rates.last ?? 0)), "
      + "\"us_per_step\": \(String(format: "%.2f", result.microsecondsPerStep)), "
      + "\"peak_rss_bytes\": \(result.peakBytes)"
    if let items = result.itemsPerExample {
      let perSecond = String(format: "%.1f", result.median * Double(items.count))
      line += ", \"\(items.unit)_per_sec\": \(perSecond)"
    }
    return line + "}\n"
  }
}

/// W7: Gemm alone at square sizes and at the shapes of W1's training step, in GFLOP/s.
enum GemmBench {
  struct Line {
    var text: String
    var json: String
  }

  /// (transposeA, transposeB, m, n, k) cases.
  static var cases: [(Bool, Bool, Int, Int, Int)] {
    var list: [(Bool, Bool, Int, Int, Int)] = []
    let transposes = [(false, false), (false, true), (true, false)]
    for size in [128, 256, 512, 1024] {
      for (ta, tb) in transposes { list.append((ta, tb, size, size, size)) }
    }
    // W1 at batch 64: forward x·Wᵀ, input gradient g·W, weight gradient gᵀ·x per layer.
    for (inputs, outputs) in [(784, 512), (512, 256), (256, 10)] {
      list.append((false, true, 64, outputs, inputs))
      list.append((false, false, 64, inputs, outputs))
      list.append((true, false, outputs, inputs, 64))
    }
    return list
  }

  static func run(pool: WorkerPool?, threads: Int, repetitions: Int) -> [Line] {
    var lines: [Line] = []
    for (ta, tb, m, n, k) in cases {
      let a = [Float](repeating: 0.5, count: m * k)
      let b = [Float](repeating: 0.25, count: k * n)
      var c = [Float](repeating: 0, count: m * n)
      let lda = ta ? m : k
      let ldb = tb ? k : n
      let flops = 2.0 * Double(m) * Double(n) * Double(k)
      let iterations = max(2, Int(2e8 / flops))
      var rates: [Double] = []
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          c.withUnsafeMutableBufferPointer { pc in
            guard let a = pa.baseAddress, let b = pb.baseAddress, let c = pc.baseAddress else {
              return
            }
            func once() {
              Gemm.multiply(
                transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1, a: a, lda: lda,
                b: b, ldb: ldb, beta: 0, c: c, ldc: n, pool: pool)
            }
            for _ in 0..<max(1, iterations / 4) { once() }
            for _ in 0..<repetitions {
              let start = Driver.now()
              for _ in 0..<iterations { once() }
              rates.append(flops * Double(iterations) / (Driver.now() - start) / 1e9)
            }
          }
        }
      }
      let sorted = rates.sorted()
      let median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
      let shape = "\(ta ? "T" : "N")\(tb ? "T" : "N") \(m)x\(n)x\(k)"
      lines.append(
        Line(
          text: "gemm \(shape.padding(toLength: 18, withPad: " ", startingAt: 0)) "
            + String(format: "%.1f", median) + " GFLOP/s\n",
          json: "{\"workload\": \"gemm\", \"shape\": \"\(shape)\", \"threads\": \(threads), "
            + "\"gflops\": \(String(format: "%.2f", median))}\n"))
    }
    return lines
  }
}

/// A workload's examples/s at 1 thread and at `threads`, timed in turns (`--scaling`).
struct ScalingResult {
  var workload: String
  var batch: Int
  var threads: Int
  /// examples/s per repetition, on 1 thread and on `threads`.
  var one: [Double]
  var many: [Double]

  /// Times `repetitions` pairs, the order alternating (1 then N, N then 1, ...), so a drift of
  /// the machine's speed hits both sides alike.
  static func inTurns<Failure: Error>(
    workload: String, batch: Int, threads: Int, repetitions: Int,
    one: () throws(Failure) -> Double, many: () throws(Failure) -> Double
  ) throws(Failure) -> ScalingResult {
    var result = ScalingResult(
      workload: workload, batch: batch, threads: threads, one: [], many: [])
    for repetition in 0..<repetitions {
      if repetition % 2 == 0 {
        result.one.append(try one())
        result.many.append(try many())
      } else {
        result.many.append(try many())
        result.one.append(try one())
      }
    }
    return result
  }

  /// Each repetition's gain: N threads' examples/s over the 1-thread run beside it.
  var gains: [Double] { zip(one, many).map { $1 / $0 } }

  /// The fastest repetition of each side over each other: a shared machine's disturbances only
  /// ever slow a repetition down, and two threads, which wait for each other, more often than
  /// one, so each side's best is the closest to its speed on a quiet machine.
  var gainOfBest: Double { (many.max() ?? 0) / max(one.max() ?? 0, .leastNormalMagnitude) }

  var text: String {
    func rate(_ value: Double) -> String { String(format: "%.0f", value) }
    let gains = self.gains
    return "\(workload.padding(toLength: 12, withPad: " ", startingAt: 0)) batch "
      + "\(String(batch).padding(toLength: 4, withPad: " ", startingAt: 0)) "
      + "1 thread \(rate(BenchResult.median(one))) ex/s, \(threads) threads \(rate(BenchResult.median(many))) "
      + "ex/s, gain " + String(format: "%.2f", BenchResult.median(gains))
      + String(format: " (%.2f-%.2f)", gains.min() ?? 0, gains.max() ?? 0)
      + "; best \(rate(one.max() ?? 0)) and \(rate(many.max() ?? 0)) ex/s, gain "
      + String(format: "%.2f", gainOfBest) + "\n"
  }

  var json: String {
    let gains = self.gains
    func number(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
    return "{\"workload\": \"\(workload)\", \"batch\": \(batch), \"threads\": \(threads), "
      + "\"examples_per_sec_1_thread\": \(number(BenchResult.median(one), 1)), "
      + "\"examples_per_sec\": \(number(BenchResult.median(many), 1)), "
      + "\"gain\": \(number(BenchResult.median(gains), 3)), "
      + "\"gain_min\": \(number(gains.min() ?? 0, 3)), "
      + "\"gain_max\": \(number(gains.max() ?? 0, 3)), "
      + "\"examples_per_sec_1_thread_best\": \(number(one.max() ?? 0, 1)), "
      + "\"examples_per_sec_best\": \(number(many.max() ?? 0, 1)), "
      + "\"gain_of_best\": \(number(gainOfBest, 3))}\n"
  }
}
