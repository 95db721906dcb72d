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

  public init(graph: Graph, maxBatch: Int) {
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
      func typeOf(_ id: NodeID) -> ValueType { ValueType(graph[id].shape, batched: graph[id].batched) }
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
    valueCapacity = values
    workspaceCapacity = workspaces
    broadcastMaps = maps
    partOffsets = offsets
  }

  /// Total floats the plan allocates for values and workspaces (parameters excluded).
  public var floatCount: Int { valueCapacity.reduce(0, +) + workspaceCapacity.reduce(0, +) }
}
