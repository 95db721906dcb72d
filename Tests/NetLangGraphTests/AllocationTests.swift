// AllocationTests: a steady-state training step (forward, backward, SGD update) allocates no
// heap memory, for a conv net, an LSTM and (on two threads, with the weights updated in the
// backward pass, their consumers attached and detached every step) a dense net:
// - malloc's in-use byte count (glibc mallinfo2) is the same after forward, after backward and
//   after the update as before the step;
// - in optimised builds, no call to malloc or its kin (counted by the MallocCounter target,
//   which the test process's allocations go through) but one per handoff to the worker pool
//   (the context `withoutActuallyEscaping` gives the caller's closure; see WorkerPool.run).
//
// NOTE: both count the whole process, and Swift Testing runs other tests in parallel, so one
// measurement can see their allocations: the test passes when one of many rounds (spread over
// up to ~3 s, by which time the other tests are done) is clean. A step that allocates, even
// memory it frees again, can never give a clean round.

#if canImport(Glibc) && arch(x86_64)
  import Glibc
  import MallocCounter
  import NetLangTensor
  import Testing

  @testable import NetLangGraph

  /// conv 3×3 (4 filters, padding 1) → relu → maxpool 2 → dense 10, cross-entropy.
  private func convGraph() throws -> Graph {
    var b = GraphBuilder()
    let x = b.input("x", shape: [1, 8, 8])
    let label = b.input("label", shape: [])
    let conv = try b.conv2d(
      x, filters: 4, window: Window2D(kernel: (3, 3), padding: (1, 1)), name: "conv")
    let pooled = try b.append(
      .maxPool(Window2D(kernel: (2, 2), stride: (2, 2))), [try b.append(.relu, [conv])])
    let flat = try b.reshape(pooled, to: [64])
    let hidden = try b.append(.sigmoid, [try b.dense(flat, units: 16, name: "fc1")])
    let logits = try b.dense(hidden, units: 10, name: "fc2")
    let loss = try b.crossEntropy(logits, label)
    b.setOutput("loss", loss)
    var graph = b.graph
    try Autodiff.appendBackward(to: &graph, loss: loss)
    return graph
  }

  /// embedding → lstm 7 → tanh → dense 11 at every step, cross-entropy.
  private func lstmGraph() throws -> Graph {
    var b = GraphBuilder()
    let ids = b.input("x", shape: [6])
    let label = b.input("label", shape: [6])
    let embedded = try b.embedding(ids, vocabulary: 11, dimension: 5, name: "embed")
    let h = try b.recurrent(.lstm, embedded, units: 7, name: "lstm")
    let logits = try b.dense(try b.append(.tanh, [h]), units: 11, name: "out")
    let loss = try b.crossEntropy(logits, label)
    b.setOutput("loss", loss)
    var graph = b.graph
    try Autodiff.appendBackward(to: &graph, loss: loss)
    return graph
  }

  /// Three tanh dense layers of 256 → squared error: at batch 64 on two threads the two
  /// gradients of fc2 and fc3 run side by side (ExecutionPlan.concurrentPairs).
  private func denseGraph() throws -> Graph {
    var b = GraphBuilder()
    var h = b.input("x", shape: [256])
    let target = b.input("label", shape: [256])
    for name in ["fc1", "fc2", "fc3"] {
      h = try b.append(.tanh, [b.dense(h, units: 256, name: name)])
    }
    let loss = try b.mse(h, target)
    b.setOutput("loss", loss)
    var graph = b.graph
    try Autodiff.appendBackward(to: &graph, loss: loss)
    return graph
  }

  /// glibc's `struct mallinfo2 mallinfo2(void)`, which the Glibc module does not import.
  ///
  /// NOTE: an 80-byte struct is returned through a hidden pointer the caller passes in rdi
  /// (System V x86-64 ABI), so it is called as a function of one pointer argument.
  private let mallinfo2: (@convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer?)? =
    {
      guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallinfo2") else {
        return nil
      }
      return unsafeBitCast(
        symbol,
        to: (@convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer?).self)
    }()

  /// Bytes malloc has handed out and not got back: mallinfo2's `uordblks` (field 7 of 10) plus
  /// `hblkhd` (field 4, blocks served by mmap: the big aligned ones FloatMemory asks for).
  private func bytesInUse() -> Int {
    guard let mallinfo2 else { return 0 }
    return withUnsafeTemporaryAllocation(of: Int.self, capacity: 10) { fields in
      guard let base = fields.baseAddress else { return 0 }
      base.initialize(repeating: 0, count: 10)
      _ = mallinfo2(UnsafeMutableRawPointer(base))
      return base[7] + base[4]
    }
  }

  @Test("a steady-state training step allocates no memory (malloc calls, in-use bytes)")
  func trainingStepDoesNotAllocate() throws {
    #expect(mallinfo2 != nil, "glibc has mallinfo2")
    #expect(bytesInUse() > 0)
    // The Swift runtime's allocations go through the counter (it took the process's malloc).
    let counted = netlang_allocation_count()
    let probe = UnsafeMutablePointer<Float>.allocate(capacity: 1000)
    #expect(netlang_allocation_count() > counted)
    probe.deallocate()
    // Allocation calls are counted in optimised builds only: unoptimised code allocates
    // closure contexts and temporaries the optimiser keeps on the stack (~100 a step here).
    // `swift build -c release --build-tests -Xswiftc -enable-testing` and run the test binary
    // (Tests/Benchmarks/README.md) to count them; the in-use bytes are checked either way.
    #if DEBUG
      let countsCalls = false
    #else
      let countsCalls = true
    #endif
    let pool = WorkerPool(threads: 2)
    let cases = [
      (try convGraph(), 4, nil), (try lstmGraph(), 4, nil), (try denseGraph(), 64, pool),
    ]
    for (graph, batch, pool) in cases {
      let executor = Executor(graph: graph, maxBatch: batch, pool: pool)
      #expect(pool == nil || !executor.plan.pairedWithNext.isEmpty)
      var random = Random(seed: 2)
      executor.initializeParameters(random: &random)
      for name in ["x", "label"] {
        let buffer = try executor.inputBuffer(name)
        for i in buffer.indices { buffer[i] = Float(random.nextInt(below: 10)) }
      }
      let ids = graph.parameters.indices.map(ParameterID.init)
      let velocities = ids.map { id in
        let count = graph[id].shape.elementCount
        let v = UnsafeMutablePointer<Float>.allocate(capacity: count)
        v.initialize(repeating: 0, count: count)
        return v
      }
      defer { for v in velocities { v.deallocate() } }
      // On the dense net the weights' updates go in the backward pass, handed their gradient
      // blocks, attached and detached every step (as FusedUpdates does).
      let consumers: [ParameterID: SGDBlocks] =
        pool == nil
        ? [:]
        : Dictionary(
          uniqueKeysWithValues: ids.enumerated().compactMap { k, id in
            guard executor.canConsumeGradient(of: id) else { return nil }
            return (
              id,
              SGDBlocks(
                value: executor.parameterValue(id).baseAddress!, velocity: velocities[k],
                width: graph[id].shape.dimensions.last ?? 1)
            )
          })
      // fc1's weight (its input gradient is not needed); fc2's and fc3's gradients run in
      // pairs beside the input gradients that read them, so those stay in their buffers.
      #expect(pool == nil || consumers.count == 1)
      func step(_ samples: inout [Int]) throws {
        try executor.forward(training: true)
        samples.append(bytesInUse())
        for (id, consumer) in consumers { executor.setGradientConsumer(consumer, for: id) }
        try executor.backward()
        for (id, _) in consumers { executor.setGradientConsumer(nil, for: id) }
        samples.append(bytesInUse())
        for (k, id) in ids.enumerated() where consumers[id] == nil {
          guard let gradient = executor.parameterGradient(id) else { continue }
          let value = executor.parameterValue(id)
          guard let p = value.baseAddress, let g = gradient.baseAddress else { continue }
          Pointwise.sgdMomentum(
            p, g, velocities[k], count: value.count, learningRate: 0.01, momentum: 0.9,
            keep: 1, weightDecay: 0, firstStep: false, nesterov: false)
        }
        samples.append(bytesInUse())
      }
      var warmUp: [Int] = []
      warmUp.reserveCapacity(64)
      for _ in 0..<3 { try step(&warmUp) }
      let allocations = executor.allocationCount
      var clean = false
      var calls = 0
      var handoffs = 0
      var samples: [Int] = []
      samples.reserveCapacity(64)
      // Up to ~3 s of rounds: other tests finish (and stop allocating) well before that.
      for _ in 0..<300 where !clean {
        samples.removeAll(keepingCapacity: true)
        let before = bytesInUse()
        let callsBefore = netlang_allocation_count()
        let handoffsBefore = pool?.handoffs ?? 0
        for _ in 0..<5 { try step(&samples) }
        calls = netlang_allocation_count() - callsBefore
        handoffs = (pool?.handoffs ?? 0) - handoffsBefore
        clean = (!countsCalls || calls == handoffs) && samples.allSatisfy { $0 == before }
        if !clean { usleep(10_000) }
      }
      #expect(
        clean,
        """
        \(calls) allocations in 5 steps (\(handoffs) pool handoffs); in-use bytes after each \
        pass: \(samples)
        """)
      #expect(executor.allocationCount == allocations)
      #expect(executor.scalar("loss")?.isFinite == true)
    }
  }

  /// SGD with momentum on a weight's gradient blocks.
  private final class SGDBlocks: GemmBlockConsumer, @unchecked Sendable {
    let value: UnsafeMutablePointer<Float>
    let velocity: UnsafeMutablePointer<Float>
    let width: Int

    init(value: UnsafeMutablePointer<Float>, velocity: UnsafeMutablePointer<Float>, width: Int) {
      self.value = value
      self.velocity = velocity
      self.width = width
    }

    func consume(
      row: Int, column: Int, rows: Int, columns: Int, values: UnsafePointer<Float>, stride: Int
    ) {
      for r in 0..<rows {
        let start = (row + r) * width + column
        Pointwise.sgdMomentum(
          value + start, values + r * stride, velocity + start, count: columns,
          learningRate: 0.01, momentum: 0.9, keep: 1, weightDecay: 0, firstStep: false,
          nesterov: false)
      }
    }
  }
#endif
