// Broadcast: elementwise binary ops with numpy broadcasting of per-example shapes (the batch
// dimension stays in front), and sumTo, the reduction that undoes a broadcast.
// B = batch (1 for unbatched values), E = elements per example of the output.

/// How each operand of a broadcast maps onto the output; precomputed once in the plan.
struct BroadcastMap: Sendable {
  /// The output's per-example dimensions.
  var dimensions: [Int]
  /// Per-operand strides over `dimensions` (0 on broadcast axes).
  var strides: [[Int]]
  /// Per-operand offset between examples (0 for unbatched operands).
  var batchStrides: [Int]
  /// Per-operand: true when the operand has the output's per-example shape.
  var contiguous: [Bool]
  /// Per-operand: the operand's element count when its shape is a suffix of the output's
  /// (leading ones aside), so its offset is `index % count`; nil otherwise.
  var suffixCount: [Int?]
  /// Elements per example of the output.
  var exampleCount: Int

  /// Maps operands of types `operands` onto an output of type `output`.
  init(output: ValueType, operands: [ValueType]) {
    dimensions = output.shape.dimensions
    exampleCount = output.shape.elementCount
    let rank = dimensions.count
    strides = []
    batchStrides = []
    contiguous = []
    suffixCount = []
    for operand in operands {
      let dims = operand.shape.dimensions
      let padded = [Int](repeating: 1, count: rank - dims.count) + dims
      var step = 1
      var result = [Int](repeating: 0, count: rank)
      for axis in stride(from: rank - 1, through: 0, by: -1) {
        result[axis] = padded[axis] == 1 ? 0 : step
        step *= padded[axis]
      }
      strides.append(result)
      batchStrides.append(operand.batched ? operand.shape.elementCount : 0)
      contiguous.append(padded == dimensions)
      let leading = padded.firstIndex { $0 != 1 } ?? rank
      let isSuffix = padded[leading...].elementsEqual(dimensions[leading...])
      suffixCount.append(isSuffix ? max(operand.shape.elementCount, 1) : nil)
    }
  }

  /// Offset of output element `index` (within one example) in operand `operand`.
  @inline(__always)
  func offset(_ index: Int, operand: Int) -> Int {
    if contiguous[operand] { return index }
    var remainder = index
    var offset = 0
    let s = strides[operand]
    for axis in stride(from: dimensions.count - 1, through: 0, by: -1) {
      let d = dimensions[axis]
      offset += (remainder % d) * s[axis]
      remainder /= d
    }
    return offset
  }
}

enum Broadcast {
  /// y = f(a, b) over the output, `batch` examples (1 when the output is unbatched).
  @inline(__always)
  static func binary(
    _ map: BroadcastMap, batch: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ y: UnsafeMutablePointer<Float>, _ f: (Float, Float) -> Float
  ) {
    let count = map.exampleCount
    for n in 0..<batch {
      let pa = a + n * map.batchStrides[0]
      let pb = b + n * map.batchStrides[1]
      let py = y + n * count
      if map.contiguous[0] && map.contiguous[1] {
        for i in 0..<count { py[i] = f(pa[i], pb[i]) }
      } else if map.contiguous[0], map.suffixCount[1] == 1 {
        let vb = pb[0]
        for i in 0..<count { py[i] = f(pa[i], vb) }
      } else if map.suffixCount[0] == 1, map.contiguous[1] {
        let va = pa[0]
        for i in 0..<count { py[i] = f(va, pb[i]) }
      } else if let ca = map.suffixCount[0], let cb = map.suffixCount[1] {
        for i in 0..<count { py[i] = f(pa[i % ca], pb[i % cb]) }
      } else {
        for i in 0..<count {
          py[i] = f(pa[map.offset(i, operand: 0)], pb[map.offset(i, operand: 1)])
        }
      }
    }
  }

  /// Reduction undoing a broadcast: y (the operand) = Σ g over every output element that
  /// read it.
  ///
  /// `map` maps the operand onto g's type; y has `yCount` elements.
  static func sumTo(
    _ map: BroadcastMap, batch: Int, _ g: UnsafePointer<Float>,
    _ y: UnsafeMutablePointer<Float>, yCount: Int
  ) {
    y.update(repeating: 0, count: yCount)
    let count = map.exampleCount
    for n in 0..<batch {
      let pg = g + n * count
      let py = y + n * map.batchStrides[0]
      if let c = map.suffixCount[0] {
        for i in 0..<count { py[i % c] += pg[i] }
      } else {
        for i in 0..<count { py[map.offset(i, operand: 0)] += pg[i] }
      }
    }
  }
}
