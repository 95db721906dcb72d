// Executor: runs a graph's forward and backward passes on buffers allocated once from an
// ExecutionPlan. Inputs are written by name, parameters and their gradients are exposed as
// pointers for the optimizer, and an optional finiteness check names the first bad node.

import NetLangTensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs one graph on batches of up to `plan.maxBatch` examples without allocating per step.
public final class Executor: @unchecked Sendable {
  public let graph: Graph
  public let plan: ExecutionPlan
  /// Threads Gemm splits work across; nil runs on the caller's thread.
  public let pool: WorkerPool?
  /// When true, every node's output is checked after it runs and the first NaN or infinity
  /// stops the pass with `ExecutionError.nonFinite(node:)`.
  @exclusivity(unchecked) public var checksFinite = false
  /// When non-nil, each node's run time in nanoseconds is added to its entry (by node index)
  /// as the passes run (nodes past its end go untimed); set it to zeros of
  /// `graph.nodes.count` to start profiling.
  public var nodeNanoseconds: [UInt64]? = nil
  /// The generator dropout masks are drawn from (part of a checkpoint's state).
  public var random: Random
  /// Examples in the current batch (≤ `plan.maxBatch`).
  @exclusivity(unchecked) public private(set) var batchSize: Int
  /// Number of buffers allocated so far; constant after `init` (tests check it).
  public private(set) var allocationCount = 0

  // Read by every node of a pass (unchecked: no exclusivity check per read; they change only
  // between passes, on the thread that runs them).
  @exclusivity(unchecked) var values: [FloatBuffer] = []
  @exclusivity(unchecked) var workspaces: [FloatBuffer?] = []
  @exclusivity(unchecked) var parameterStorage: [FloatBuffer] = []
  private var inputNodes: [String: NodeID] = [:]
  private var partialSchedules: [[NodeID]: [NodeID]] = [:]

  /// Prepares every buffer for batches of up to `maxBatch` examples.
  ///
  /// Parameters start at zero
  /// until `initializeParameters(random:)` or a checkpoint fills them.
  /// - Parameters:
  ///   - keep: nodes whose values must stay readable after a pass besides the graph's outputs
  ///     and parameter gradients (other values may share buffers, see `ExecutionPlan`).
  ///   - reuseBuffers: false gives every value its own buffer (for debugging).
  public init(
    graph: Graph, maxBatch: Int, pool: WorkerPool? = nil, dropoutSeed: UInt64 = 0,
    keep: [NodeID] = [], reuseBuffers: Bool = true
  ) {
    self.graph = graph
    self.plan = ExecutionPlan(
      graph: graph, maxBatch: maxBatch, reuseBuffers: reuseBuffers, keep: keep)
    self.pool = pool
    self.random = Random(seed: dropoutSeed)
    self.batchSize = plan.maxBatch
    gradientConsumers = Array(repeating: nil, count: graph.nodes.count)
    for parameter in graph.parameters {
      parameterStorage.append(allocate(parameter.shape.elementCount))
    }
    let slotBuffers = plan.slotCapacity.map { allocate($0) }
    for (i, node) in graph.nodes.enumerated() {
      if case .parameter(let p) = node.op {
        values.append(parameterStorage[p.rawValue])
      } else {
        // Every non-parameter node has a slot (ExecutionPlan.assignSlots).
        values.append(slotBuffers[plan.slots[i] ?? 0])
      }
      let workspace = plan.workspaceCapacity[i]
      workspaces.append(workspace > 0 ? allocate(workspace) : nil)
      if case .input(let name) = node.op { inputNodes[name] = NodeID(i) }
    }
  }

  private func allocate(_ count: Int) -> FloatBuffer {
    allocationCount += 1
    return FloatBuffer(capacity: count)
  }

  // MARK: Parameters

  /// Fills every parameter from its initializer, drawing from `random` in parameter order.
  public func initializeParameters(random: inout Random) {
    for (p, parameter) in graph.parameters.enumerated() {
      let storage = parameterStorage[p].pointer
      let count = parameter.shape.elementCount
      switch parameter.initializer {
      case .uniform(let bound):
        for i in 0..<count { storage[i] = Float(random.uniform(-bound, bound)) }
      case .normal(let std):
        for i in 0..<count { storage[i] = Float(random.normal() * std) }
      case .zeros:
        storage.update(repeating: 0, count: count)
      case .ones:
        storage.update(repeating: 1, count: count)
      }
    }
  }

  /// The values of parameter `id`; the optimizer updates them in place.
  public func parameterValue(_ id: ParameterID) -> UnsafeMutableBufferPointer<Float> {
    UnsafeMutableBufferPointer(
      start: parameterStorage[id.rawValue].pointer, count: graph[id].shape.elementCount)
  }

  /// The values of the parameter named `name`, if any.
  public func parameterValue(named name: String) -> UnsafeMutableBufferPointer<Float>? {
    graph.parameter(named: name).map(parameterValue)
  }

  /// Consumers of parameter gradients by gradient node (`setGradientConsumer`), one slot per
  /// node: set and cleared every training step, so neither may allocate.
  /// Unchecked: written only between passes, by the thread that runs them.
  @exclusivity(unchecked) private(set) var gradientConsumers: [(any GemmBlockConsumer)?]

  /// By parameter: the gradient node when `canConsumeGradient`, else nil; worked out once (the
  /// graph and plan never change).
  private lazy var consumableGradients: [Int?] = graph.parameters.indices.map {
    let id = ParameterID($0)
    return consumable(id) ? graph.parameterGradients[id]?.rawValue : nil
  }

  /// Whether `backward` can hand the gradient of `id` to a consumer block by block (which may
  /// then change the parameter): the gradient is one dense layer's weight gradient (a product
  /// of its own, nothing added to it, read by no node), and every backward node that reads the
  /// parameter runs before it, not beside it (a pair on two threads).
  public func canConsumeGradient(of id: ParameterID) -> Bool {
    consumableGradient(of: id) != nil
  }

  /// The gradient node of `id` when `canConsumeGradient(of:)`, else nil.
  private func consumableGradient(of id: ParameterID) -> Int? {
    consumableGradients.indices.contains(id.rawValue) ? consumableGradients[id.rawValue] : nil
  }

  private func consumable(_ id: ParameterID) -> Bool {
    guard let gradient = graph.parameterGradients[id], graph[gradient].op == .denseWeightGrad,
      let position = plan.backward.firstIndex(of: gradient)
    else { return false }
    // Every node holding the parameter (a model called twice has one per call).
    let holders = Set(graph.nodes.indices.filter { graph.nodes[$0].op == .parameter(id) })
    func reads(_ node: NodeID) -> Bool {
      graph[node].inputs.contains { holders.contains($0.rawValue) }
    }
    if plan.backward[position...].contains(where: reads) { return false }
    // Nothing may read the gradient itself: with a consumer it is not written.
    if graph.nodes.contains(where: { $0.inputs.contains(gradient) }) { return false }
    // On two threads, the node run beside it: the one before it in a pair (a partner after it
    // was checked above; pairs never overlap, see `ExecutionPlan.concurrentPairs`).
    guard pool?.threads == 2, position > 0 else { return true }
    let before = plan.backward[position - 1]
    return !(plan.pairedWithNext.contains(before.rawValue) && reads(before))
  }

  /// From the next `backward` on, the gradient of `id` goes to `consumer` block by block as
  /// its product finishes each one (see `GemmBlockConsumer`), and its gradient buffer no longer
  /// holds it; nil goes back to the buffer. Ignored unless `canConsumeGradient(of:)`.
  public func setGradientConsumer(_ consumer: (any GemmBlockConsumer)?, for id: ParameterID) {
    guard let node = consumableGradient(of: id) else { return }
    gradientConsumers[node] = consumer
  }

  /// The gradient of parameter `id` from the last `backward()`, or nil when the loss does not
  /// depend on it (or it is a buffer).
  ///
  /// Valid until the next backward pass; not written for a parameter whose gradient went to a
  /// consumer (`setGradientConsumer`).
  public func parameterGradient(_ id: ParameterID) -> UnsafeMutableBufferPointer<Float>? {
    guard let node = graph.parameterGradients[id] else { return nil }
    return UnsafeMutableBufferPointer(
      start: values[node.rawValue].pointer, count: graph[id].shape.elementCount)
  }

  /// The gradient of the parameter named `name`, if any.
  public func parameterGradient(named name: String) -> UnsafeMutableBufferPointer<Float>? {
    graph.parameter(named: name).flatMap(parameterGradient)
  }

  // MARK: Inputs and outputs

  /// Sets the number of examples in the next passes; no allocation happens.
  public func setBatchSize(_ batch: Int) throws(ExecutionError) {
    guard batch >= 1, batch <= plan.maxBatch else {
      throw .batchTooLarge(requested: batch, capacity: plan.maxBatch)
    }
    batchSize = batch
  }

  /// The buffer of input `name` for the current batch, to be filled by the caller.
  public func inputBuffer(
    _ name: String
  ) throws(ExecutionError) -> UnsafeMutableBufferPointer<Float> {
    guard let id = inputNodes[name] else { throw .unknownInput(name) }
    return UnsafeMutableBufferPointer(
      start: values[id.rawValue].pointer, count: graph[id].elementCount(batch: batchSize))
  }

  /// Copies `data` (batch × per-example elements) into input `name`.
  public func setInput(_ name: String, _ data: UnsafeBufferPointer<Float>) throws(ExecutionError) {
    let buffer = try inputBuffer(name)
    guard data.count == buffer.count, let base = data.baseAddress else {
      throw .inputSize(name: name, expected: buffer.count, got: data.count)
    }
    buffer.baseAddress?.update(from: base, count: data.count)
  }

  /// Copies `data` into input `name`.
  public func setInput(_ name: String, _ data: [Float]) throws(ExecutionError) {
    try data.withUnsafeBufferPointer { (pointer) throws(ExecutionError) in
      try setInput(name, pointer)
    }
  }

  /// The current value of `node` (batch-sized for batched nodes).
  ///
  /// After a pass this is valid
  /// for outputs, parameter gradients, inputs, `keep` nodes and nodes nobody reads; another
  /// value may have reused the buffer of any other node.
  public func value(of node: NodeID) -> UnsafeBufferPointer<Float> {
    UnsafeBufferPointer(
      start: values[node.rawValue].pointer, count: graph[node].elementCount(batch: batchSize))
  }

  /// The value of output `name`, if any.
  public func output(_ name: String) -> UnsafeBufferPointer<Float>? {
    graph.output(name).map(value(of:))
  }

  /// The first element of output `name` (a loss or accuracy), if any.
  public func scalar(_ name: String) -> Float? {
    graph.output(name).map { values[$0.rawValue].pointer[0] }
  }

  // MARK: Passes

  /// Runs every forward node.
  ///
  /// `training` selects batch statistics and dropout.
  public func forward(training: Bool) throws(ExecutionError) {
    for id in plan.forward where !plan.skippedInForward[id.rawValue] {
      try run(id, training: training)
    }
  }

  /// The Gemm epilogue computing `op` (nil for ops that are not a fusable activation).
  static func activationFunction(_ op: Op) -> Gemm.Activation.Function? {
    switch op {
    case .relu: .relu
    case .leakyRelu(let slope): .leakyRelu(slope: Float(slope))
    case .sigmoid: .sigmoid
    case .tanh: .tanh
    default: nil
    }
  }

  /// Runs only the forward nodes that `targets` depend on.
  ///
  /// For example the logits without the loss, when there are no labels.
  ///
  /// The schedule is computed once per target list.
  public func forward(training: Bool, computing targets: [NodeID]) throws(ExecutionError) {
    let schedule: [NodeID]
    if let cached = partialSchedules[targets] {
      schedule = cached
    } else {
      var needed = [Bool](repeating: false, count: graph.nodes.count)
      for target in targets { needed[target.rawValue] = true }
      for i in stride(from: graph.nodes.count - 1, through: 0, by: -1) where needed[i] {
        for input in graph.nodes[i].inputs { needed[input.rawValue] = true }
      }
      schedule = plan.forward.filter { needed[$0.rawValue] }
      partialSchedules[targets] = schedule
    }
    // A fused activation is written by its dense node (always in the schedule with it).
    for id in schedule where !plan.skippedInForward[id.rawValue] {
      try run(id, training: training)
    }
  }

  /// Runs the backward nodes after a training forward pass; parameter gradients are then in
  /// `parameterGradient(_:)`.
  public func backward() throws(ExecutionError) {
    guard graph.backwardStart != nil else { throw .noBackwardPass }
    let order = plan.backward
    let pairs = pool?.threads == 2 && !plan.pairedWithNext.isEmpty
    var index = 0
    while index < order.count {
      if pairs, index + 1 < order.count, plan.runsBesideNext[order[index].rawValue] {
        try runPair(order[index], order[index + 1])
        index += 2
      } else {
        try run(order[index], training: true)
        index += 1
      }
    }
  }

  /// Runs two nodes of `plan.pairedWithNext` at the same time, one per thread (each one's
  /// kernels then run whole on their thread: the pool is busy). Profiled, the pair's time is
  /// shared between them in proportion to each one's own.
  private func runPair(_ first: NodeID, _ second: NodeID) throws(ExecutionError) {
    guard let pool else {
      try run(first, training: true)
      try run(second, training: true)
      return
    }
    let ids = (first, second)
    let start = Self.monotonicNanoseconds()
    let failure = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2) { own in
      withUnsafeTemporaryAllocation(of: ExecutionError?.self, capacity: 2) { errors in
        let errors = errors.baseAddress!
        errors.initialize(repeating: nil, count: 2)
        defer { errors.deinitialize(count: 2) }
        pool.run(parts: 2) { part in
          let begin = Self.monotonicNanoseconds()
          do throws(ExecutionError) {
            try dispatch(part == 0 ? ids.0 : ids.1, training: true)
          } catch {
            errors[part] = error
          }
          own[part] = Self.monotonicNanoseconds() &- begin
        }
        if let timed = nodeNanoseconds?.count, max(first.rawValue, second.rawValue) < timed {
          let wall = Double(Self.monotonicNanoseconds() &- start)
          let share = Double(own[0]) / max(Double(own[0] &+ own[1]), 1)
          nodeNanoseconds?[first.rawValue] &+= UInt64(wall * share)
          nodeNanoseconds?[second.rawValue] &+= UInt64(wall * (1 - share))
        }
        return errors[0] ?? errors[1]
      }
    }
    if let failure { throw failure }
    try checkFinite(first)
    try checkFinite(second)
  }

  private func run(_ id: NodeID, training: Bool) throws(ExecutionError) {
    if let timed = nodeNanoseconds?.count, id.rawValue < timed {
      let start = Self.monotonicNanoseconds()
      try dispatch(id, training: training)
      nodeNanoseconds?[id.rawValue] &+= Self.monotonicNanoseconds() &- start
    } else {
      try dispatch(id, training: training)
    }
    try checkFinite(id)
    let activation = plan.activationFusedInto[id.rawValue]
    if activation >= 0 { try checkFinite(NodeID(activation)) }
  }

  /// With `checksFinite`, throws `.nonFinite` when `id`'s value has a NaN or an infinity.
  private func checkFinite(_ id: NodeID) throws(ExecutionError) {
    guard checksFinite else { return }
    let count = graph[id].elementCount(batch: batchSize)
    if !Elementwise.allFinite(values[id.rawValue].pointer, count) {
      throw .nonFinite(node: id)
    }
  }

  /// CLOCK_MONOTONIC in nanoseconds.
  static func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
  }
}
