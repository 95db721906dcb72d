// Reference (Double) forward math of the linear, broadcasting and structural ops: dense,
// add/subtract/multiply/divide, sumTo, broadcastTo, softmax, concat, dropout, lastStep,
// embedding. B = batch, R = rows (every index but the last axis, batch included).

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Double-precision scalar functions shared by the reference ops.
enum ReferenceMath {
  static func tanh(_ x: Double) -> Double {
    #if canImport(Glibc)
      Glibc.tanh(x)
    #else
      Darwin.tanh(x)
    #endif
  }
  static func exp(_ x: Double) -> Double {
    #if canImport(Glibc)
      Glibc.exp(x)
    #else
      Darwin.exp(x)
    #endif
  }
  static func log(_ x: Double) -> Double {
    #if canImport(Glibc)
      Glibc.log(x)
    #else
      Darwin.log(x)
    #endif
  }
  static func log1p(_ x: Double) -> Double {
    #if canImport(Glibc)
      Glibc.log1p(x)
    #else
      Darwin.log1p(x)
    #endif
  }
  /// 1/(1 + e^−x), branching on the sign so exp never overflows.
  static func sigmoid(_ x: Double) -> Double {
    if x >= 0 { return 1 / (1 + exp(-x)) }
    let e = exp(x)
    return e / (1 + e)
  }
  /// The class index a label holds, or nil unless it is a whole number in 0..<classes.
  static func label(_ value: Double, classes: Int) -> Int? {
    guard value.isFinite, value >= 0, value < Double(classes), value == value.rounded(.towardZero)
    else { return nil }
    return Int(value)
  }
}

/// Row-major strides of `dimensions` right-aligned onto an output of rank `rank`; 0 on the
/// axes where the operand has size 1 (or is missing), so those axes broadcast.
func broadcastStrides(_ dimensions: [Int], rank: Int) -> [Int] {
  let padded = [Int](repeating: 1, count: rank - dimensions.count) + dimensions
  var strides = [Int](repeating: 0, count: rank)
  var step = 1
  for axis in stride(from: rank - 1, through: 0, by: -1) {
    strides[axis] = padded[axis] == 1 ? 0 : step
    step *= padded[axis]
  }
  return strides
}

/// Offset of output element `index` (of per-example `dimensions`) in an operand with `strides`.
func broadcastOffset(_ index: Int, dimensions: [Int], strides: [Int]) -> Int {
  var remainder = index
  var offset = 0
  for axis in stride(from: dimensions.count - 1, through: 0, by: -1) {
    offset += (remainder % dimensions[axis]) * strides[axis]
    remainder /= dimensions[axis]
  }
  return offset
}

extension ReferencePass {
  /// y[R, O] = x[R, I]·W[O, I]ᵀ + b[O].
  func dense(_ node: Node) -> [Double] {
    let x = input(node, 0), w = input(node, 1)
    let bias = node.inputs.count == 3 ? input(node, 2) : nil
    let shape = inputNode(node, 1).shape
    let outputs = shape[0], inputs = shape[1]
    let rows = x.count / max(inputs, 1)
    var y = [Double](repeating: 0, count: rows * outputs)
    x.withUnsafeBufferPointer { px in
      w.withUnsafeBufferPointer { pw in
        y.withUnsafeMutableBufferPointer { py in
          for r in 0..<rows {
            for o in 0..<outputs {
              var sum = bias?[o] ?? 0
              for i in 0..<inputs { sum += px[r * inputs + i] * pw[o * inputs + i] }
              py[r * outputs + o] = sum
            }
          }
        }
      }
    }
    return y
  }

  /// y = f(a, b) with numpy broadcasting of the per-example shapes, batch in front.
  func broadcastBinary(_ node: Node, _ f: (Double, Double) -> Double) -> [Double] {
    let a = input(node, 0), b = input(node, 1)
    let typeA = inputNode(node, 0), typeB = inputNode(node, 1)
    let dims = node.shape.dimensions
    let stridesA = broadcastStrides(typeA.shape.dimensions, rank: dims.count)
    let stridesB = broadcastStrides(typeB.shape.dimensions, rank: dims.count)
    let count = node.shape.elementCount
    let stepA = typeA.batched ? typeA.shape.elementCount : 0
    let stepB = typeB.batched ? typeB.shape.elementCount : 0
    var y = [Double](repeating: 0, count: examples(node) * count)
    for n in 0..<examples(node) {
      for i in 0..<count {
        let va = a[n * stepA + broadcastOffset(i, dimensions: dims, strides: stridesA)]
        let vb = b[n * stepB + broadcastOffset(i, dimensions: dims, strides: stridesB)]
        y[n * count + i] = f(va, vb)
      }
    }
    return y
  }

  /// y = x summed over the axes (and the batch) it was broadcast along, down to y's type.
  func sumTo(_ node: Node) -> [Double] {
    let x = input(node, 0), source = inputNode(node, 0)
    let dims = source.shape.dimensions
    let strides = broadcastStrides(node.shape.dimensions, rank: dims.count)
    let count = source.shape.elementCount
    let step = node.batched ? node.shape.elementCount : 0
    var y = [Double](repeating: 0, count: node.elementCount(batch: batch))
    for n in 0..<examples(source) {
      for i in 0..<count {
        y[n * step + broadcastOffset(i, dimensions: dims, strides: strides)] += x[n * count + i]
      }
    }
    return y
  }

  /// y = x repeated along broadcast axes (and the batch, for an unbatched x).
  func broadcastTo(_ node: Node) -> [Double] {
    let x = input(node, 0), source = inputNode(node, 0)
    let dims = node.shape.dimensions
    let strides = broadcastStrides(source.shape.dimensions, rank: dims.count)
    let count = node.shape.elementCount
    let step = source.batched ? source.shape.elementCount : 0
    var y = [Double](repeating: 0, count: node.elementCount(batch: batch))
    for n in 0..<examples(node) {
      for i in 0..<count {
        y[n * count + i] = x[n * step + broadcastOffset(i, dimensions: dims, strides: strides)]
      }
    }
    return y
  }

  /// Softmax over the last axis, max-subtracted.
  func softmax(_ x: [Double], classes: Int) -> [Double] {
    var y = [Double](repeating: 0, count: x.count)
    for r in 0..<(x.count / max(classes, 1)) {
      let row = x[(r * classes)..<((r + 1) * classes)]
      let maximum = row.max() ?? 0
      var sum = 0.0
      for c in 0..<classes {
        y[r * classes + c] = ReferenceMath.exp(x[r * classes + c] - maximum)
        sum += y[r * classes + c]
      }
      for c in 0..<classes { y[r * classes + c] /= sum }
    }
    return y
  }

  /// Concatenation along per-example `axis`: outer = batch · dims before it, inner = after.
  func concat(_ node: Node, axis: Int) -> [Double] {
    let dims = node.shape.dimensions
    let inner = dims[(axis + 1)...].reduce(1, *)
    let outer = examples(node) * dims[..<axis].reduce(1, *)
    var y = [Double](repeating: 0, count: node.elementCount(batch: batch))
    var start = 0
    for k in node.inputs.indices {
      let x = input(node, k)
      let length = inputNode(node, k).shape[axis]
      for o in 0..<outer {
        for i in 0..<(length * inner) {
          y[(o * dims[axis] + start) * inner + i] = x[o * length * inner + i]
        }
      }
      start += length
    }
    return y
  }

  /// Training with rate > 0: x·mask with the caller's mask; otherwise x.
  func dropout(_ id: NodeID, _ node: Node, rate: Double) throws(ReferenceError) -> [Double] {
    let x = input(node, 0)
    guard training, rate > 0 else { return x }
    guard let mask = dropoutMasks[id], mask.count == x.count else {
      throw .missingDropoutMask(id)
    }
    return zip(x, mask).map { $0 * $1 }
  }

  /// `[T, N] → [N]`: the last step of each example.
  func lastStep(_ node: Node) -> [Double] {
    let x = input(node, 0), source = inputNode(node, 0).shape
    let steps = source[0], features = source[1]
    var y: [Double] = []
    y.reserveCapacity(examples(node) * features)
    for n in 0..<examples(node) {
      let start = (n * steps + steps - 1) * features
      y.append(contentsOf: x[start..<(start + features)])
    }
    return y
  }

  /// y[R, D] = W[id_r, :]; every id must be a whole number in 0..<V.
  func embedding(_ id: NodeID, _ node: Node) throws(ReferenceError) -> [Double] {
    let ids = input(node, 0), table = input(node, 1)
    let shape = inputNode(node, 1).shape
    let vocabulary = shape[0], dimension = shape[1]
    var y: [Double] = []
    y.reserveCapacity(ids.count * dimension)
    for value in ids {
      guard let row = ReferenceMath.label(value, classes: vocabulary) else {
        throw .invalidIndex(node: id, value: value)
      }
      y.append(contentsOf: table[(row * dimension)..<((row + 1) * dimension)])
    }
    return y
  }
}
