// Shape: the dimensions of a tensor. Per-example shapes (no batch dimension) flow through the
// checker; the graph adds the batch dimension in front. Shape rules live beside this type so
// the checker and the kernels share one definition.

/// The dimensions of a tensor, outermost first. `[]` is a scalar.
public struct Shape: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
  public var dimensions: [Int]

  public init(_ dimensions: [Int]) { self.dimensions = dimensions }
  public init(arrayLiteral elements: Int...) { self.dimensions = elements }

  public var rank: Int { dimensions.count }
  /// The number of elements (1 for a scalar).
  public var elementCount: Int { dimensions.reduce(1, *) }
  public subscript(axis: Int) -> Int { dimensions[axis] }

  /// `[1, 28, 28]`
  public var description: String {
    "[" + dimensions.map(String.init).joined(separator: ", ") + "]"
  }

  /// This shape with a batch dimension of `batch` in front.
  public func batched(_ batch: Int) -> Shape { Shape([batch] + dimensions) }
}
