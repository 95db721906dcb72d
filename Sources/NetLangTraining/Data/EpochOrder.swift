// EpochOrder: the order of the examples in each epoch (a seeded shuffle, or the file order) and
// its minibatches, the last one partial when the batch size does not divide the count.

import NetLangTensor

/// The example order of one epoch and its minibatches.
///
/// Reshuffling reuses the same storage.
public struct EpochOrder: Sendable {
  /// Example indices in the order of this epoch.
  public private(set) var order: [Int]
  public let batchSize: Int
  public let shuffle: Bool

  /// The order for `count` examples in batches of `batchSize` (≥ 1).
  public init(count: Int, batchSize: Int, shuffle: Bool) {
    precondition(batchSize >= 1, "batch size must be positive")
    order = Array(0..<max(count, 0))
    self.batchSize = batchSize
    self.shuffle = shuffle
  }

  /// Number of examples.
  public var count: Int { order.count }

  /// Number of minibatches, counting a last partial one.
  public var batchCount: Int { (order.count + batchSize - 1) / batchSize }

  /// Starts an epoch: with `shuffle`, a Fisher–Yates permutation of `0..<count` drawn from
  /// `random` (the same permutation as `Random.permutation(count)`); otherwise file order.
  public mutating func startEpoch(random: inout Random) {
    for i in order.indices { order[i] = i }
    guard shuffle, order.count > 1 else { return }
    for i in stride(from: order.count - 1, to: 0, by: -1) {
      let j = random.nextInt(below: i + 1)
      order.swapAt(i, j)
    }
  }

  /// The example indices of minibatch `number` (0-based).
  public func batch(_ number: Int) -> ArraySlice<Int> {
    let start = number * batchSize
    return order[start..<min(start + batchSize, order.count)]
  }
}
