// DataSourceSpec: a data set as the checker resolved it from a `data` declaration, before any
// of it is read. The readers in this folder turn a spec into examples; `DataSchema` is what
// the checker learns about a spec without loading it all (fields, shapes, size).

import NetLangTensor

/// How to standardise csv feature columns.
public enum Standardization: Equatable, Sendable {
  case none
  /// By the mean and standard deviation of this file.
  case own
  /// By the statistics of another data set (usually the training set).
  indirect case from(DataSourceSpec)
}

/// Which part of a text corpus a spec means.
public enum TextPart: String, Equatable, Sendable {
  case training, heldout
}

/// One named field of an inline `table`, each row one example.
public struct TableColumn: Equatable, Sendable {
  public var name: String
  public var rows: [[Double]]
  /// Per-example shape; nil means `[k]` for rows of k values.
  public var shape: Shape?
  /// Real values, or class ids (whole numbers ≥ 0, checked when loading).
  public var kind: FieldKind
  public init(name: String, rows: [[Double]], shape: Shape? = nil, kind: FieldKind = .real) {
    self.name = name
    self.rows = rows
    self.shape = shape
    self.kind = kind
  }
}

/// A data source with every argument resolved. Paths are absolute (or relative to the current
/// directory), already resolved against the declaring file.
public indirect enum DataSourceSpec: Equatable, Sendable {
  /// MNIST IDX images (uint8 or float32), optional labels file, every value multiplied by `scale`.
  case idx(images: String, labels: String?, scale: Double)
  /// CSV with a header row; `label` names the class column (nil: none).
  case csv(path: String, label: String?, standardize: Standardization)
  /// Values written in the `.net` file.
  case table(columns: [TableColumn])
  /// The four XOR points, repeated to `samples` with Gaussian `noise`.
  case xor(samples: Int, noise: Double, seed: UInt64)
  /// `arms` interleaved spirals of `points` points each.
  case spirals(arms: Int, points: Int, noise: Double, seed: UInt64)
  /// `count` sine waves of `steps` samples, each with a random phase and frequency; fields
  /// `x [steps, 1]` and `y [steps, 1]`, the same wave one sample later.
  case waves(count: Int, steps: Int, seed: UInt64)
  /// A character corpus in windows of `sequence` characters; the last `heldout` fraction is
  /// the held-out part.
  case text(path: String, sequence: Int, heldout: Double, part: TextPart)
  /// The examples of `base` between two fractions, after a seeded shuffle when `shuffle >= 0`.
  case slice(base: DataSourceSpec, from: Double, to: Double, shuffle: Int)
}

/// What a field's values are.
public enum FieldKind: String, Equatable, Sendable {
  /// Real values (features, pixel intensities, regression targets).
  case real
  /// Whole-number class ids (labels, character ids).
  case classIndex
}

/// A named field of every example.
public struct DataField: Equatable, Sendable {
  public var name: String
  /// Per-example shape.
  public var shape: Shape
  public var kind: FieldKind
  public init(name: String, shape: Shape, kind: FieldKind) {
    self.name = name
    self.shape = shape
    self.kind = kind
  }
}

/// What the checker needs to know of a data set: its fields and, where cheap, sizes.
public struct DataSchema: Equatable, Sendable {
  public var fields: [DataField]
  /// Number of examples.
  public var size: Int
  /// Number of classes of the class field (max label + 1), if there is one.
  public var classes: Int?
  /// Size of a text corpus' vocabulary.
  public var vocabulary: Int?
  public init(fields: [DataField], size: Int, classes: Int? = nil, vocabulary: Int? = nil) {
    self.fields = fields
    self.size = size
    self.classes = classes
    self.vocabulary = vocabulary
  }
}
