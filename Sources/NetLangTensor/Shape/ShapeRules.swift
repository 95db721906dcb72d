// ShapeRules: the per-example shape rule of every operation (grammar.md section 5), as pure
// functions. The checker infers shapes with them; kernels and lowering assert the same rules.

/// Shape rules on per-example shapes (no batch dimension).
public enum ShapeRules {
  /// The most elements one example's tensor may have.
  public static let maximumElements = 1 << 31

  /// The element count, saturating at `Int.max` instead of trapping.
  public static func saturatingCount(_ dimensions: [Int]) -> Int {
    var count = 1
    for dimension in dimensions {
      let (product, overflow) = count.multipliedReportingOverflow(by: max(0, dimension))
      if overflow { return Int.max }
      count = product
    }
    return count
  }

  /// Checks every dimension is positive and the element count is within `maximumElements`.
  public static func validate(_ shape: Shape) throws(ShapeError) -> Shape {
    for dimension in shape.dimensions where dimension <= 0 {
      throw .invalidSize(what: "a dimension", value: dimension)
    }
    if saturatingCount(shape.dimensions) > maximumElements { throw .tooLarge(shape) }
    return shape
  }

  /// numpy broadcasting of two shapes, aligned from the right.
  public static func broadcast(_ a: Shape, _ b: Shape) throws(ShapeError) -> Shape {
    let rank = max(a.rank, b.rank)
    var result = [Int](repeating: 1, count: rank)
    for index in 0..<rank {
      let x = index < rank - a.rank ? 1 : a.dimensions[index - (rank - a.rank)]
      let y = index < rank - b.rank ? 1 : b.dimensions[index - (rank - b.rank)]
      if x == y || y == 1 {
        result[index] = x
      } else if x == 1 {
        result[index] = y
      } else {
        throw .notBroadcastable(a, b)
      }
    }
    return Shape(result)
  }

  /// `dense(x, units)`: `[..., i] → [..., units]`.
  public static func dense(_ input: Shape, units: Int) throws(ShapeError) -> Shape {
    guard units > 0 else { throw .invalidSize(what: "units", value: units) }
    guard input.rank >= 1 else {
      throw .wrongRank(operation: "dense", expected: "[..., features]", actual: input)
    }
    return try validate(Shape(input.dimensions.dropLast() + [units]))
  }

  /// One spatial output size of a convolution or pooling window, floor division.
  public static func windowOutputSize(
    input: Int, kernel: Int, stride: Int, padding: Int
  ) throws(ShapeError) -> Int {
    guard kernel > 0 else { throw .invalidSize(what: "kernel", value: kernel) }
    guard stride > 0 else { throw .invalidSize(what: "stride", value: stride) }
    guard padding >= 0 else { throw .invalidSize(what: "padding", value: padding) }
    let padded = input + 2 * padding
    guard padded >= kernel else {
      throw .windowTooLarge(operation: "window", window: [kernel], input: [padded])
    }
    return (padded - kernel) / stride + 1
  }

  /// `conv2d`: `[c, h, w] → [filters, (h+2p−k)/s+1, (w+2p−k)/s+1]`.
  public static func conv2d(
    _ input: Shape, filters: Int, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)
  ) throws(ShapeError) -> Shape {
    guard filters > 0 else { throw .invalidSize(what: "filters", value: filters) }
    let spatial = try window(
      "conv2d", input, kernel: kernel, stride: stride, padding: padding)
    return try validate(Shape([filters, spatial.0, spatial.1]))
  }

  /// `maxpool` / `avgpool`: `[c, h, w] → [c, (h−size)/stride+1, (w−size)/stride+1]`.
  public static func pool(
    _ operation: String, _ input: Shape, size: (Int, Int), stride: (Int, Int)
  ) throws(ShapeError) -> Shape {
    let spatial = try window(operation, input, kernel: size, stride: stride, padding: (0, 0))
    return Shape([input.dimensions[0], spatial.0, spatial.1])
  }

  /// The output height and width of a 2-D window over `[c, h, w]`.
  private static func window(
    _ operation: String, _ input: Shape, kernel: (Int, Int), stride: (Int, Int),
    padding: (Int, Int)
  ) throws(ShapeError) -> (Int, Int) {
    guard input.rank == 3 else {
      throw .wrongRank(operation: operation, expected: "[channels, height, width]", actual: input)
    }
    let height = input.dimensions[1] + 2 * max(0, padding.0)
    let width = input.dimensions[2] + 2 * max(0, padding.1)
    if kernel.0 > 0, kernel.1 > 0, kernel.0 > height || kernel.1 > width {
      throw .windowTooLarge(
        operation: operation, window: [kernel.0, kernel.1], input: [height, width])
    }
    let outHeight = try windowOutputSize(
      input: input.dimensions[1], kernel: kernel.0, stride: stride.0, padding: padding.0)
    let outWidth = try windowOutputSize(
      input: input.dimensions[2], kernel: kernel.1, stride: stride.1, padding: padding.1)
    return (outHeight, outWidth)
  }

  /// `flatten(x)`: `[d1, ..., dk] → [d1·…·dk]`.
  public static func flatten(_ input: Shape) throws(ShapeError) -> Shape {
    try validate(Shape([saturatingCount(input.dimensions)]))
  }

  /// `reshape(x, dims)`: the element count is kept; one dimension may be -1.
  public static func reshape(_ input: Shape, to target: [Int]) throws(ShapeError) -> Shape {
    let count = saturatingCount(input.dimensions)
    let unknown = target.indices.filter { target[$0] == -1 }
    guard unknown.count <= 1, target.allSatisfy({ $0 > 0 || $0 == -1 }) else {
      throw .reshapeMismatch(from: input, to: target)
    }
    let known = saturatingCount(target.filter { $0 != -1 })
    var result = target
    if let index = unknown.first {
      guard known > 0, count % known == 0 else { throw .reshapeMismatch(from: input, to: target) }
      result[index] = count / known
    }
    guard saturatingCount(result) == count else { throw .reshapeMismatch(from: input, to: target) }
    return Shape(result)
  }

  /// The non-negative axis for `axis` (negative counts from the end).
  public static func normalizedAxis(_ axis: Int, rank: Int) throws(ShapeError) -> Int {
    let resolved = axis < 0 ? axis + rank : axis
    guard resolved >= 0, resolved < rank else { throw .axisOutOfRange(axis: axis, rank: rank) }
    return resolved
  }

  /// `concat(a, b, ..., axis:)`: equal shapes except on `axis`, which adds up.
  public static func concat(_ inputs: [Shape], axis: Int) throws(ShapeError) -> Shape {
    guard let first = inputs.first else { throw .concatMismatch(axis: axis, shapes: inputs) }
    let resolved = try normalizedAxis(axis, rank: first.rank)
    var result = first.dimensions
    for shape in inputs.dropFirst() {
      guard shape.rank == first.rank else { throw .concatMismatch(axis: axis, shapes: inputs) }
      for index in 0..<shape.rank where index != resolved {
        if shape.dimensions[index] != first.dimensions[index] {
          throw .concatMismatch(axis: axis, shapes: inputs)
        }
      }
      result[resolved] += shape.dimensions[resolved]
    }
    return try validate(Shape(result))
  }

  /// `softmax(x)`: `[..., n] → [..., n]`.
  public static func softmax(_ input: Shape) throws(ShapeError) -> Shape {
    guard input.rank >= 1 else {
      throw .wrongRank(operation: "softmax", expected: "[..., n]", actual: input)
    }
    return input
  }

  /// `batchnorm(x)`: `[n] → [n]` or `[c, h, w] → [c, h, w]`.
  public static func batchnorm(_ input: Shape) throws(ShapeError) -> Shape {
    guard input.rank == 1 || input.rank == 3 else {
      throw .wrongRank(operation: "batchnorm", expected: "[n] or [c, h, w]", actual: input)
    }
    return input
  }

  /// `embedding(ids, vocab, dim)`: `[...] → [..., dim]`.
  public static func embedding(
    _ input: Shape, vocabulary: Int, dimension: Int
  ) throws(ShapeError) -> Shape {
    guard vocabulary > 0 else { throw .invalidSize(what: "vocab", value: vocabulary) }
    guard dimension > 0 else { throw .invalidSize(what: "dim", value: dimension) }
    return try validate(Shape(input.dimensions + [dimension]))
  }

  /// `rnn`, `lstm`, `gru`: `[t, i] → [t, units]`.
  public static func recurrent(
    _ operation: String, _ input: Shape, units: Int
  ) throws(ShapeError) -> Shape {
    guard units > 0 else { throw .invalidSize(what: "units", value: units) }
    guard input.rank == 2 else {
      throw .wrongRank(operation: operation, expected: "[time, features]", actual: input)
    }
    return try validate(Shape([input.dimensions[0], units]))
  }

  /// `last(x)`: `[t, n] → [n]`.
  public static func last(_ input: Shape) throws(ShapeError) -> Shape {
    guard input.rank == 2 else {
      throw .wrongRank(operation: "last", expected: "[time, features]", actual: input)
    }
    return Shape([input.dimensions[1]])
  }
}
