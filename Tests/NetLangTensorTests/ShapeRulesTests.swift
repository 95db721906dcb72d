// ShapeRulesTests: the shape rules against hand-computed shapes, and window output sizes
// against a brute-force count of window positions.

import Testing

@testable import NetLangTensor

@Test("broadcasting follows numpy, aligned from the right")
func broadcasting() throws {
  #expect(try ShapeRules.broadcast([3], [3]) == [3])
  #expect(try ShapeRules.broadcast([], [2, 3]) == [2, 3])
  #expect(try ShapeRules.broadcast([4, 1], [3]) == [4, 3])
  #expect(try ShapeRules.broadcast([5, 1, 6], [7, 1]) == [5, 7, 6])
  #expect(throws: ShapeError.notBroadcastable([120], [84])) {
    try ShapeRules.broadcast([120], [84])
  }
  #expect(throws: ShapeError.self) { try ShapeRules.broadcast([2, 3], [3, 3]) }
}

@Test("window output sizes equal the number of window positions that fit")
func windowSizesAgainstCounting() throws {
  for input in 1...12 {
    for kernel in 1...5 {
      for stride in 1...3 {
        for padding in 0...2 {
          let padded = input + 2 * padding
          var positions = 0
          var start = 0
          while start + kernel <= padded {
            positions += 1
            start += stride
          }
          if positions == 0 {
            #expect(throws: ShapeError.self) {
              try ShapeRules.windowOutputSize(
                input: input, kernel: kernel, stride: stride, padding: padding)
            }
          } else {
            #expect(
              try ShapeRules.windowOutputSize(
                input: input, kernel: kernel, stride: stride, padding: padding) == positions)
          }
        }
      }
    }
  }
}

@Test("layer rules on hand-computed shapes")
func layerRules() throws {
  #expect(try ShapeRules.dense([784], units: 10) == [10])
  #expect(try ShapeRules.dense([7, 30], units: 4) == [7, 4])
  #expect(
    try ShapeRules.conv2d([1, 28, 28], filters: 6, kernel: (5, 5), stride: (1, 1), padding: (2, 2))
      == [6, 28, 28])
  #expect(
    try ShapeRules.conv2d([3, 32, 31], filters: 8, kernel: (3, 5), stride: (2, 1), padding: (0, 1))
      == [8, 15, 29])
  #expect(
    try ShapeRules.pool("maxpool", [6, 28, 28], size: (2, 2), stride: (2, 2)) == [6, 14, 14])
  #expect(try ShapeRules.pool("avgpool", [6, 7, 7], size: (3, 3), stride: (2, 2)) == [6, 3, 3])
  #expect(try ShapeRules.embedding([64], vocabulary: 65, dimension: 16) == [64, 16])
  #expect(try ShapeRules.embedding([], vocabulary: 65, dimension: 16) == [16])
  #expect(try ShapeRules.recurrent("lstm", [10, 5], units: 32) == [10, 32])
  #expect(try ShapeRules.last([10, 32]) == [32])
  #expect(try ShapeRules.batchnorm([3, 8, 8]) == [3, 8, 8])
  #expect(try ShapeRules.softmax([4, 10]) == [4, 10])
  #expect(throws: ShapeError.self) {
    try ShapeRules.conv2d([784], filters: 6, kernel: (5, 5), stride: (1, 1), padding: (0, 0))
  }
  #expect(
    throws: ShapeError.windowTooLarge(operation: "conv2d", window: [7, 7], input: [4, 4])
  ) {
    try ShapeRules.conv2d([16, 4, 4], filters: 32, kernel: (7, 7), stride: (1, 1), padding: (0, 0))
  }
  #expect(throws: ShapeError.self) { try ShapeRules.recurrent("rnn", [10], units: 3) }
  #expect(throws: ShapeError.self) { try ShapeRules.batchnorm([3, 4]) }
  #expect(throws: ShapeError.self) { try ShapeRules.dense([], units: 3) }
}

@Test("structure rules: flatten, reshape with -1, concat on an axis")
func structureRules() throws {
  #expect(try ShapeRules.flatten([3, 4, 5]) == [60])
  #expect(try ShapeRules.flatten([]) == [1])
  #expect(try ShapeRules.reshape([3, 4, 5], to: [4, -1]) == [4, 15])
  #expect(try ShapeRules.reshape([784], to: [1, 28, 28]) == [1, 28, 28])
  #expect(throws: ShapeError.self) { try ShapeRules.reshape([3, 4], to: [5, -1]) }
  #expect(throws: ShapeError.self) { try ShapeRules.reshape([3, 4], to: [-1, -1]) }
  #expect(throws: ShapeError.self) { try ShapeRules.reshape([3, 4], to: [0, 12]) }
  #expect(try ShapeRules.concat([[3, 4], [3, 2]], axis: -1) == [3, 6])
  #expect(try ShapeRules.concat([[3, 4], [5, 4], [1, 4]], axis: 0) == [9, 4])
  #expect(throws: ShapeError.concatMismatch(axis: 0, shapes: [[3, 4], [3, 2]])) {
    try ShapeRules.concat([[3, 4], [3, 2]], axis: 0)
  }
  #expect(throws: ShapeError.axisOutOfRange(axis: 2, rank: 2)) {
    try ShapeRules.concat([[3, 4], [3, 4]], axis: 2)
  }
}

@Test("sizes are bounded: huge shapes are errors, counts never overflow")
func limits() throws {
  #expect(ShapeRules.saturatingCount([1 << 40, 1 << 40]) == Int.max)
  #expect(throws: ShapeError.self) { try ShapeRules.validate([100_000, 100_000]) }
  #expect(throws: ShapeError.self) { try ShapeRules.dense([1 << 16, 2], units: 1 << 16) }
  #expect(try ShapeRules.validate([2, 3]) == [2, 3])
}
