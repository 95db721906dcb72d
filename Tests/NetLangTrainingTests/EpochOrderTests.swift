// EpochOrderTests: seeded epoch permutations, partial last batch, gathering rows.

import NetLangTensor
import Testing

@testable import NetLangTraining

@Suite("batching") struct EpochOrderTests {
  @Test("shuffled epochs follow the generator; batches keep the partial last one")
  func epochs() {
    var order = EpochOrder(count: 10, batchSize: 4, shuffle: true)
    var random = Random(seed: 3)
    var reference = Random(seed: 3)
    order.startEpoch(random: &random)
    #expect(order.order == reference.permutation(10))
    order.startEpoch(random: &random)
    #expect(order.order == reference.permutation(10))
    #expect(order.batchCount == 3)
    #expect(order.batch(2).count == 2)
    #expect(Array(order.batch(0)) + Array(order.batch(1)) + Array(order.batch(2)) == order.order)
    #expect(Set(order.order) == Set(0..<10))
  }

  @Test("without shuffle, file order and no random draws")
  func fileOrder() {
    var order = EpochOrder(count: 5, batchSize: 5, shuffle: false)
    var random = Random(seed: 3)
    order.startEpoch(random: &random)
    #expect(order.order == [0, 1, 2, 3, 4])
    #expect(random == Random(seed: 3))
    #expect(order.batchCount == 1)
  }

  @Test("gather copies the rows of a minibatch in order")
  func gather() throws {
    let data = try DataReader.load(
      .table(columns: [
        TableColumn(name: "x", rows: [[0, 1], [2, 3], [4, 5], [6, 7]])
      ]))
    var buffer = [Float](repeating: -1, count: 7)
    buffer.withUnsafeMutableBufferPointer { pointer in
      guard let base = pointer.baseAddress else { return }
      data.gather(field: 0, indices: [3, 0, 2][1...], into: base + 1)
      data.gather(field: 0, indices: [1], into: base + 5)
    }
    #expect(buffer == [-1, 0, 1, 4, 5, 2, 3])
  }
}
