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

  var median: Double {
    let sorted = rates.sorted()
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
    Self.resetPeakMemory()
    let executor = Executor(graph: lowered.graph, maxBatch: workload.batch, pool: pool)
    var random = Random(seed: 1)
    executor.initializeParameters(random: &random)
    try Self.fillInputs(executor, random: &random)
    let training = TrainingGraph(
      executor: executor, inputNames: lowered.inputNames, loss: lossNode, accuracy: nil)
    let parameters = training.parameterBuffers()
    var optimizer = makeOptimizer(task.optimizer)
    let rate = Float(task.optimizer.learningRate)
    func passes() throws(BenchFailure) {
      do {
        try executor.forward(training: true)
        try executor.backward()
      } catch {
        throw BenchFailure(message: error.description)
      }
    }
    func update() {
      optimizer.step(parameters: parameters, learningRate: rate, pool: executor.pool)
    }
    // As the trainer does: on one thread the dense weights are updated during the backward
    // pass (FusedUpdates).
    let fusion = FusedUpdates.forTraining(executor: executor, parameters: parameters)
    func step() throws(BenchFailure) {
      guard let fusion else {
        try passes()
        update()
        return
      }
      let piece = optimizer.beginPiecewiseStep(parameters: parameters, learningRate: rate)
      _ = try fusion.run(piece, passes)
      fusion.finish(piece, parameters: parameters, pool: executor.pool)
    }
    // Warm-up, and enough steps per repetition to last about 0.25 s.
    let warmStart = Self.now()
    var warmSteps = 0
    repeat {
      try step()
      warmSteps += 1
    } while warmSteps < 3 || (Self.now() - warmStart < 0.2 && warmSteps < 10_000)
    let perStep = (Self.now() - warmStart) / Double(warmSteps)
    let steps = max(3, Int(0.25 / max(perStep, 1e-7)))
    var rates: [Double] = []
    var best = Double.infinity
    for _ in 0..<repetitions {
      let start = Self.now()
      for _ in 0..<steps { try step() }
      let seconds = Self.now() - start
      rates.append(Double(steps * workload.batch) / seconds)
      best = min(best, seconds / Double(steps))
    }
    let sorted = rates.sorted()
    let median = sorted[sorted.count / 2]
    var result = BenchResult(
      workload: workload.name, batch: workload.batch, threads: threads, rates: rates,
      microsecondsPerStep: Double(workload.batch) / median * 1e6,
      peakBytes: Self.peakMemory(), itemsPerExample: workload.itemsPerExample)
    if profiles {
      // One more repetition with every node timed (the timing itself adds ~50 ns a node).
      executor.nodeNanoseconds = [UInt64](repeating: 0, count: lowered.graph.nodes.count)
      var optimizerSeconds = 0.0
      for _ in 0..<steps {
        guard let fusion else {
          try passes()
          let start = Self.now()
          update()
          optimizerSeconds += Self.now() - start
          continue
        }
        let piece = optimizer.beginPiecewiseStep(parameters: parameters, learningRate: rate)
        _ = try fusion.run(piece, passes)
        let start = Self.now()
        fusion.finish(piece, parameters: parameters, pool: executor.pool)
        optimizerSeconds += Self.now() - start
      }
      let perStep = 1e-3 / Double(steps)
      for (i, node) in lowered.graph.nodes.enumerated() {
        let nanoseconds = executor.nodeNanoseconds?[i] ?? 0
        guard nanoseconds > 0 else { continue }
        let label = "%\(i) \(node.op.name) \(node.shape)\(node.batched ? " per example" : "")"
        result.profile.append((label, Double(nanoseconds) * perStep))
      }
      // With fused updates the dense weights' share is in their weight-gradient nodes.
      let label = fusion == nil ? "optimizer step" : "optimizer step (but the dense weights)"
      result.profile.append((label, optimizerSeconds * 1e6 / Double(steps)))
      executor.nodeNanoseconds = nil
    }
    return result
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
  /// API (RBMs are not written in .net files): epochs over 1,000 random binary-ish images.
  static func runRBMBench(pool: WorkerPool?, threads: Int, repetitions: Int) -> BenchResult {
    let visible = 784, hidden = 500, batch = 100, count = 1000
    resetPeakMemory()
    var random = Random(seed: 1)
    var rbm = RBM(visibleCount: visible, hiddenCount: hidden, random: &random)
    let data = (0..<(count * visible)).map { _ in random.nextFloat() }
    let schedule = RBMSchedule(epochs: 1, batchSize: batch)
    var order = EpochOrder(count: count, batchSize: batch, shuffle: true)
    func epoch() {
      _ = rbm.trainEpoch(
        data: data, count: count, epoch: 0, schedule: schedule, order: &order, random: &random,
        pool: pool)
    }
    epoch()
    var rates: [Double] = []
    for _ in 0..<repetitions {
      let start = now()
      epoch()
      epoch()
      rates.append(Double(2 * count) / (now() - start))
    }
    let median = rates.sorted()[rates.count / 2]
    return BenchResult(
      workload: "rbm", batch: batch, threads: threads, rates: rates,
      microsecondsPerStep: Double(batch) / median * 1e6, peakBytes: peakMemory())
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
