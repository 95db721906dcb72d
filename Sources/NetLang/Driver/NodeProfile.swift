// NodeProfile: `netlang run --profile`: the time a training task spent in its graph's nodes,
// added up by the line of the model each node comes from (a backward node counts toward the
// call whose gradient it computes), so a user sees which layer of the file costs the time.

import NetLangGraph

/// Node times of one training task grouped by source call.
struct NodeProfile {
  /// One call of the model file: its place, its op, and its forward and backward seconds.
  struct Entry {
    var place: String
    var op: String
    var forward = 0.0
    var backward = 0.0
    var total: Double { forward + backward }
  }

  var entries: [Entry] = []

  /// Groups `nanoseconds` (by node index) by each node's source span.
  init(lowered: LoweredModel, nanoseconds: [UInt64], files: SourceFiles) {
    let graph = lowered.graph
    let backwardStart = graph.backwardStart?.rawValue ?? graph.nodes.count
    var index: [String: Int] = [:]
    for (i, time) in nanoseconds.enumerated() where time > 0 && i < graph.nodes.count {
      let node = NodeID(i)
      // Inputs, parameters and constants do no work (their time is the clock's own).
      switch graph[node].op {
      case .input, .parameter, .constant: continue
      default: break
      }
      let place = lowered.span(of: node).map(files.describe) ?? "(no source line)"
      let slot: Int
      if let existing = index[place] {
        slot = existing
      } else {
        slot = entries.count
        index[place] = slot
        entries.append(Entry(place: place, op: graph[node].op.name))
      }
      let seconds = Double(time) * 1e-9
      if i < backwardStart {
        // The forward node names the call (backward nodes carry gradient op names).
        if entries[slot].forward == 0 { entries[slot].op = graph[node].op.name }
        entries[slot].forward += seconds
      } else {
        entries[slot].backward += seconds
      }
    }
  }

  /// The table: the total, then the calls by time (those of at least 0.5%, at most 15).
  func text(model: String, seconds: Double) -> String {
    let total = entries.reduce(0) { $0 + $1.total }
    func time(_ value: Double) -> String {
      if value >= 1 { return String(format: "%.2f s", value) }
      if value >= 1e-3 { return String(format: "%.1f ms", value * 1e3) }
      return String(format: "%.0f µs", value * 1e6)
    }
    var text =
      "profile of \(model): \(time(total)) in graph nodes of \(time(seconds)) of training "
      + "(the rest: optimizer, data, checks)\n"
    let sorted = entries.sorted { $0.total > $1.total }
    for entry in sorted.prefix(15) where total > 0 && entry.total / total >= 0.005 {
      let share = String(format: "%5.1f%%", 100 * entry.total / total)
      let padded = time(entry.total).padding(toLength: 9, withPad: " ", startingAt: 0)
      text +=
        "  \(padded) \(share)  \(entry.place)  \(entry.op) "
        + "(forward \(time(entry.forward)), backward \(time(entry.backward)))\n"
    }
    return text
  }
}
