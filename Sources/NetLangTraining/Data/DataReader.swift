// DataReader: the entry points from a DataSourceSpec to its schema (for the checker) or to
// all of its examples (for training), dispatching to the reader of each source.

import NetLangTensor

/// Reads data sets described by a `DataSourceSpec`.
public enum DataReader {
  /// The fields, size and classes of `spec`, reading as little as is cheap (an IDX images
  /// file only by its header).
  public static func inspect(_ spec: DataSourceSpec) throws(DataError) -> DataSchema {
    switch spec {
    case .idx(let images, let labels, _):
      return try IDXReader.inspect(images: images, labels: labels)
    case .slice(let base, let from, let to, _):
      var schema = try inspect(base)
      let range = try sliceRange(count: schema.size, from: from, to: to)
      schema.size = range.count
      return schema
    case .text(let path, let sequence, let heldout, let part):
      return try TextReader.inspect(path: path, sequence: sequence, heldout: heldout, part: part)
    default:
      return try load(spec).schema
    }
  }

  /// Every example of `spec`.
  public static func load(_ spec: DataSourceSpec) throws(DataError) -> Dataset {
    switch spec {
    case .idx(let images, let labels, let scale):
      return try IDXReader.load(images: images, labels: labels, scale: scale)
    case .csv(let path, let label, let standardize):
      let statistics: FeatureStatistics?
      switch standardize {
      case .none: statistics = nil
      case .own:
        statistics = try featureStatistics(of: .csv(path: path, label: label, standardize: .none))
      case .from(let other): statistics = try featureStatistics(of: other)
      }
      return try CSVReader.load(path: path, label: label, statistics: statistics)
    case .table(let columns):
      return try SyntheticData.table(columns)
    case .xor(let samples, let noise, let seed):
      return try SyntheticData.xor(samples: samples, noise: noise, seed: seed)
    case .spirals(let arms, let points, let noise, let seed):
      return try SyntheticData.spirals(arms: arms, points: points, noise: noise, seed: seed)
    case .waves(let count, let steps, let seed):
      return try SyntheticData.waves(count: count, steps: steps, seed: seed)
    case .text(let path, let sequence, let heldout, let part):
      return try TextReader.load(path: path, sequence: sequence, heldout: heldout, part: part)
    case .slice(let base, let from, let to, let shuffle):
      let data = try load(base)
      let range = try sliceRange(count: data.count, from: from, to: to)
      var order = Array(0..<data.count)
      if shuffle >= 0 {
        var random = Random(seed: UInt64(shuffle))
        order = random.permutation(data.count)
      }
      return data.subset(Array(order[range]))
    }
  }

  /// The mean and standard deviation of the `features` field of `spec` as it is on disk
  /// (any standardisation of `spec` itself is ignored).
  public static func featureStatistics(of spec: DataSourceSpec) throws(DataError)
    -> FeatureStatistics
  {
    let data = try load(unstandardized(spec))
    guard let index = data.fieldIndex(named: "features") else {
      throw DataError(
        path: "",
        message: "standardize: the data set to take statistics from has no 'features' field")
    }
    return FeatureStatistics(
      values: data.values[index], rows: data.count,
      columns: data.fields[index].shape.elementCount)
  }

  /// `spec` with csv standardisation turned off, also inside slices.
  static func unstandardized(_ spec: DataSourceSpec) -> DataSourceSpec {
    switch spec {
    case .csv(let path, let label, _): .csv(path: path, label: label, standardize: .none)
    case .slice(let base, let from, let to, let shuffle):
      .slice(base: unstandardized(base), from: from, to: to, shuffle: shuffle)
    default: spec
    }
  }

  /// Examples ⌊from·n⌉ ..< ⌊to·n⌉ (rounded to nearest), so `to: f` and `from: f` are
  /// complementary.
  public static func sliceRange(count: Int, from: Double, to: Double) throws(DataError) -> Range<
    Int
  > {
    guard from >= 0, to <= 1, from <= to else {
      throw DataError(
        path: "", message: "slice: expected 0 ≤ from ≤ to ≤ 1, found from \(from) and to \(to)")
    }
    let lower = Int((Double(count) * from).rounded())
    let upper = Int((Double(count) * to).rounded())
    return lower..<max(lower, upper)
  }
}
