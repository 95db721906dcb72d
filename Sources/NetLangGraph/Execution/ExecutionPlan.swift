// ExecutionPlan: what the executor needs before running a graph: the forward and backward
// schedules, the size of every value and workspace buffer for the largest batch, and the
// precomputed broadcast maps. Computed once; the executor allocates from it once.

import NetLangTensor

/// Schedules and buffer sizes of a graph prepared for batches of up to `maxBatch` examples.
public struct ExecutionPlan: Sendable {
  public let maxBatch: Int
  /// Forward nodes in topological order.
  public let forward: [NodeID]
  /// Backward nodes (from `graph.backwardStart` on) in topological order.
  public let backward: [NodeID]
  /// Elements of each node's value buffer at `maxBatch` (0 for parameter nodes, which read
  /// the parameter's own storage).
  let valueCapacity: [Int]
  /// Elements of each node's workspace (masks, saved statistics, gradient parts, scratch).
  let workspaceCapacity: [Int]
  /// Broadcast maps of elementwise binary ops and sumTo, by node index.
  let broadcastMaps: [Int: BroadcastMap]
  /// Workspace offset of the part each `gradientPart` node copies, by node index.
  let partOffsets: [Int: Int]
  /// The value buffer each node writes (nil for parameter nodes): nodes whose lifetimes do
  /// not overlap share a slot (see `assignSlots`).
  let slots: [Int?]
  /// Elements of each slot.
  let slotCapacity: [Int]
  /// For each conv2dBackward node, the conv2d node of the same input, weights and window:
  /// its workspace still holds the im2col columns backward needs.
  let convForward: [Int: Int]
  /// conv2dBackward nodes whose input gradient (their value) nobody reads: only their
  /// parameter-gradient parts are used (the first layer, whose input is data).
  let unreadInputGradients: Set<Int>
  /// Backward nodes that a two-thread executor runs at the same time as the node after them,
  /// one on each thread (see `concurrentPairs`); none when `updatesInBackwardOnPool`.
  let pairedWithNext: Set<Int>
  /// Whether training on a pool updates the weights inside the backward pass, as on one
  /// thread (`FusedUpdates`), instead of running gradients in pairs: for models of at least
  /// `fusedUpdateParameters` trainable values, whose gradients are too big to write out and
  /// read back cheaply. (A weight gradient run beside its input gradient cannot take its
  /// update: the input gradient reads the weight.)
  public let updatesInBackwardOnPool: Bool
  /// Dense nodes whose activation (the next forward node, reading only the dense output)
  /// the dense kernel applies as it finishes each block, by dense node index
  /// (see `fusedActivations`).
  let fusedActivation: [Int: Int]
  /// The activation nodes of `fusedActivation`: the forward pass skips them.
  let fusedIntoDense: Set<Int>
  /// The same facts by node index, for the passes' per-node lookups (no hashing per node):
  /// `fusedActivation` (-1 for none), `fusedIntoDense`, `pairedWithNext`.
  let activationFusedInto: [Int]
  let skippedInForward: [Bool]
  let runsBesideNext: [Bool]

  /// Plans `graph` for batches of up to `maxBatch`.
  ///
  /// With `reuseBuffers`, a value whose last
  /// reader has run gives its buffer to a later value of the same size; values in `keep`,
  /// outputs, parameter gradients, inputs and values nobody reads are never given away.
  public init(graph: Graph, maxBatch: Int, reuseBuffers: Bool = true, keep: [NodeID] = []) {
    self.maxBatch = max(1, maxBatch)
    let end = graph.backwardStart?.rawValue ?? graph.nodes.count
    forward = (0..<end).map(NodeID.init)
    backward = (end..<graph.nodes.count).map(NodeID.init)
    var values: [Int] = []
    var workspaces: [Int] = []
    var maps: [Int: BroadcastMap] = [:]
    var offsets: [Int: Int] = [:]
    for (i, node) in graph.nodes.enumerated() {
      if case .parameter = node.op {
        values.append(0)
      } else {
        values.append(node.elementCount(batch: self.maxBatch))
      }
      workspaces.append(Workspace.count(of: NodeID(i), in: graph, batch: self.maxBatch))
      let type = ValueType(node.shape, batched: node.batched)
      func typeOf(_ id: NodeID) -> ValueType {
        ValueType(graph[id].shape, batched: graph[id].batched)
      }
      switch node.op {
      case .add, .subtract, .multiply, .divide:
        maps[i] = BroadcastMap(output: type, operands: node.inputs.map(typeOf))
      case .broadcastTo:
        let source = typeOf(node.inputs[0])
        maps[i] = BroadcastMap(output: type, operands: [source, source])
      case .sumTo:
        maps[i] = BroadcastMap(output: typeOf(node.inputs[0]), operands: [type])
      case .gradientPart(let index):
        offsets[i] = Workspace.partOffset(index, of: node.inputs[0], in: graph)
      default:
        break
      }
    }
    var convolutions: [Int: Int] = [:]
    for (i, node) in graph.nodes.enumerated() {
      guard case .conv2dBackward(let window) = node.op else { continue }
      convolutions[i] = graph.nodes.indices.first { j in
        let candidate = graph.nodes[j]
        return candidate.op == .conv2d(window) && candidate.inputs.count >= 2
          && candidate.inputs[0] == node.inputs[0] && candidate.inputs[1] == node.inputs[1]
      }
    }
    convForward = convolutions
    var unread = Set(convolutions.keys)
    for node in graph.nodes {
      if case .gradientPart = node.op { continue }
      for input in node.inputs { unread.remove(input.rawValue) }
    }
    for id in graph.outputs.values { unread.remove(id.rawValue) }
    for id in keep { unread.remove(id.rawValue) }
    unreadInputGradients = unread
    valueCapacity = values
    workspaceCapacity = workspaces
    broadcastMaps = maps
    partOffsets = offsets
    (slots, slotCapacity) = Self.assignSlots(
      graph, capacity: values, reuse: reuseBuffers, keep: keep)
    let trainable = graph.parameters.reduce(0) { $0 + ($1.trainable ? $1.shape.elementCount : 0) }
    updatesInBackwardOnPool = trainable >= Self.fusedUpdateParameters
    pairedWithNext =
      updatesInBackwardOnPool
      ? [] : Self.concurrentPairs(graph, backward: backward, slots: slots, batch: maxBatch)
    fusedActivation = Self.fusedActivations(graph, forward: forward, slots: slots)
    fusedIntoDense = Set(fusedActivation.values)
    let count = graph.nodes.count
    var activations = [Int](repeating: -1, count: count)
    for (dense, activation) in fusedActivation { activations[dense] = activation }
    activationFusedInto = activations
    let (skipped, paired) = (fusedIntoDense, pairedWithNext)
    skippedInForward = (0..<count).map { skipped.contains($0) }
    runsBesideNext = (0..<count).map { paired.contains($0) }
  }

  /// A dense node followed in `forward` by relu, leaky relu, sigmoid or tanh of its output:
  /// the dense kernel writes the activation too, each part of a split product doing its own
  /// block on the core that computed it. Not when the activation's slot is one the dense node
  /// reads (a slot given away after the dense node, its last reader, which the fused kernel
  /// would overwrite while other parts still read it).
  static func fusedActivations(_ graph: Graph, forward: [NodeID], slots: [Int?]) -> [Int: Int] {
    var fused: [Int: Int] = [:]
    for (dense, next) in zip(forward, forward.dropFirst()) {
      let node = graph[dense]
      guard node.op == .dense, graph[next].inputs.first == dense,
        graph[next].inputs.count == 1, Executor.activationFunction(graph[next].op) != nil,
        let slot = slots[next.rawValue],
        !node.inputs.contains(where: { slots[$0.rawValue] == slot })
      else { continue }
      fused[dense.rawValue] = next.rawValue
    }
    return fused
  }

  /// Products at least this big (flops at the largest batch, ~35 µs on one core) are worth
  /// running beside another one.
  static let minimumPairFlops = 4_000_000

  /// Trainable values from which a pool's training step updates weights inside the backward
  /// pass instead of pairing gradients (`updatesInBackwardOnPool`). Measured at 2 threads on a
  /// 2-vCPU Xeon (model 106, 1.25 MiB L2 per core), alternating runs: the autoencoder (2.8 M
  /// values) 1.11× faster so (median of 12 per-round ratios, 10 of 12 faster), the mlp (535 k)
  /// 0.92-0.95× and LeNet 0.88× (8 rounds): they keep their pairs.
  public static let fusedUpdateParameters = 1_000_000

  /// The smaller of two paired products is at least this fraction of the bigger one. Run side
  /// by side, each on one core, the pair takes as long as the bigger; each split across both
  /// cores, they take their sum over the split's gain (~1.6 in a training step), so the pair
  /// wins from about 0.6 on. (A layer's two gradients are always the same size.)
  static let pairBalance = 0.7

  /// A dense layer's input gradient and weight gradient: two products of the same size that
  /// read the same output gradient and nothing of each other. On two threads they run one
  /// per core, each product whole on its core (split, each would pack a whole operand twice
  /// and read halves the other core wrote). Only neighbours in `backward` with no buffer in
  /// common: neither's value slot may be one the other reads (the plan gives a slot away once
  /// its last reader has run, which running the two at once would overlap).
  static func concurrentPairs(
    _ graph: Graph, backward: [NodeID], slots: [Int?], batch: Int
  ) -> Set<Int> {
    /// Flops of a dense gradient node at `batch` (nil for every other op).
    func flops(_ i: Int) -> Double? {
      let node = graph.nodes[i]
      switch node.op {
      case .denseInputGrad:
        // g[rows, O]·W[O, I]: rows · I · O multiply-adds.
        let outputs = graph[node.inputs[1]].shape.dimensions.first ?? 0
        return 2 * Double(node.elementCount(batch: batch)) * Double(outputs)
      case .denseWeightGrad:
        // g[rows, O]ᵀ·x[rows, I]: rows · O · I multiply-adds.
        let inputs = node.shape.dimensions.last ?? 0
        return 2 * Double(graph[node.inputs[0]].elementCount(batch: batch)) * Double(inputs)
      default:
        return nil
      }
    }
    var pairs = Set<Int>()
    var index = 0
    while index + 1 < backward.count {
      let first = backward[index].rawValue
      let second = backward[index + 1].rawValue
      index += 1
      guard let a = flops(first), let b = flops(second),
        min(a, b) >= Double(minimumPairFlops), min(a, b) >= pairBalance * max(a, b),
        !graph.nodes[second].inputs.contains(NodeID(first)),
        let firstSlot = slots[first], let secondSlot = slots[second], firstSlot != secondSlot
      else { continue }
      let firstReads = graph.nodes[first].inputs.compactMap { slots[$0.rawValue] }
      let secondReads = graph.nodes[second].inputs.compactMap { slots[$0.rawValue] }
      guard !firstReads.contains(secondSlot), !secondReads.contains(firstSlot) else { continue }
      pairs.insert(first)
      index += 1
    }
    return pairs
  }

  /// Greedy liveness: walking nodes in order, each takes a free slot of exactly its size (or
  /// a new one), and after it runs, the inputs it was the last reader of free their slots.
  ///
  /// NOTE: a node takes its slot before its inputs are freed, so no kernel writes over its
  /// own inputs.
  static func assignSlots(
    _ graph: Graph, capacity: [Int], reuse: Bool, keep: [NodeID]
  ) -> ([Int?], [Int]) {
    var lastUse = [Int](repeating: -1, count: graph.nodes.count)
    for (i, node) in graph.nodes.enumerated() {
      for input in node.inputs { lastUse[input.rawValue] = i }
    }
    var pinned = Set(keep.map(\.rawValue))
    for id in graph.outputs.values { pinned.insert(id.rawValue) }
    for id in graph.parameterGradients.values { pinned.insert(id.rawValue) }
    var slots: [Int?] = []
    var slotCapacity: [Int] = []
    var free: [Int: [Int]] = [:]
    for (i, node) in graph.nodes.enumerated() {
      if case .parameter = node.op {
        slots.append(nil)
        continue
      }
      if case .input = node.op { pinned.insert(i) }
      if reuse, !pinned.contains(i), let slot = free[capacity[i]]?.popLast() {
        slots.append(slot)
      } else {
        slots.append(slotCapacity.count)
        slotCapacity.append(capacity[i])
      }
      guard reuse else { continue }
      for input in Set(node.inputs.map(\.rawValue)).sorted()
      where lastUse[input] == i && !pinned.contains(input) {
        if let slot = slots[input] { free[capacity[input], default: []].append(slot) }
      }
    }
    return (slots, slotCapacity)
  }

  /// Total floats the plan allocates for values and workspaces (parameters excluded).
  public var floatCount: Int { slotCapacity.reduce(0, +) + workspaceCapacity.reduce(0, +) }
}
