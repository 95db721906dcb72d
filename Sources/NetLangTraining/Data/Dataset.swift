// Dataset: every example of a data set in memory, one contiguous [Float] per field, and the
// row copies that fill a minibatch.

/// A loaded data set: `count` examples, each with the same named fields.
///
/// Field `f` of example `i` is `values[f][i * e ..< (i + 1) * e]` with `e` the field's element
/// count. Class ids are stored as whole-number Floats.
public struct Dataset: Sendable {
  /// The fields, in the order the reader produced them.
  public private(set) var fields: [DataField]
  /// Per field, `count × elementCount` values, example-major.
  public private(set) var values: [[Float]]
  /// Number of examples.
  public private(set) var count: Int
  /// Number of classes (max label + 1) when the data has a class field.
  public var classes: Int?
  /// The character vocabulary of a text corpus.
  public var vocabulary: Vocabulary?

  /// A data set from fields and their values; every value array must hold
  /// `count × elementCount` values (checked by the readers that build one).
  public init(
    fields: [DataField], values: [[Float]], count: Int, classes: Int? = nil,
    vocabulary: Vocabulary? = nil
  ) {
    precondition(fields.count == values.count, "one value array per field")
    for (field, column) in zip(fields, values) {
      precondition(column.count == count * field.shape.elementCount, "field \(field.name) size")
    }
    self.fields = fields
    self.values = values
    self.count = count
    self.classes = classes
    self.vocabulary = vocabulary
  }

  /// What the checker sees of this data set.
  public var schema: DataSchema {
    DataSchema(fields: fields, size: count, classes: classes, vocabulary: vocabulary?.count)
  }

  /// The index of the field called `name`.
  public func fieldIndex(named name: String) -> Int? {
    fields.firstIndex { $0.name == name }
  }

  /// The field called `name`.
  public func field(named name: String) -> DataField? {
    fieldIndex(named: name).map { fields[$0] }
  }

  /// All values of the field called `name`, example-major.
  public func values(named name: String) -> [Float]? {
    fieldIndex(named: name).map { values[$0] }
  }

  /// Copies field `field` of the examples `indices`, in that order, to `destination`.
  ///
  /// `destination` must have room for `indices.count × elementCount` values. Allocates nothing.
  public func gather(
    field: Int, indices: ArraySlice<Int>, into destination: UnsafeMutablePointer<Float>
  ) {
    let width = fields[field].shape.elementCount
    values[field].withUnsafeBufferPointer { source in
      guard let base = source.baseAddress else { return }
      var target = destination
      for index in indices {
        precondition(index >= 0 && index < count, "example index out of range")
        target.update(from: base + index * width, count: width)
        target += width
      }
    }
  }

  /// Copies field `field` of the examples `indices` to `destination`; see the slice overload.
  public func gather(field: Int, indices: [Int], into destination: UnsafeMutablePointer<Float>) {
    gather(field: field, indices: indices[...], into: destination)
  }

  /// The examples `indices`, in that order, as a new data set (used by `slice`).
  public func subset(_ indices: [Int]) -> Dataset {
    var columns: [[Float]] = []
    for (fieldNumber, field) in fields.enumerated() {
      let width = field.shape.elementCount
      var column = [Float](repeating: 0, count: indices.count * width)
      column.withUnsafeMutableBufferPointer { buffer in
        if let base = buffer.baseAddress {
          gather(field: fieldNumber, indices: indices, into: base)
        }
      }
      columns.append(column)
    }
    return Dataset(
      fields: fields, values: columns, count: indices.count, classes: classes,
      vocabulary: vocabulary)
  }
}
