// CSVReader: `csv(path, label, standardize)` data sets. Every column is a scalar field by
// name, `features` holds all columns but the label, and the label column is a class field.

/// Mean and population standard deviation of each feature column (std 0 is taken as 1).
public struct FeatureStatistics: Equatable, Sendable {
  public var mean: [Double]
  public var standardDeviation: [Double]

  /// The statistics of the `columns` columns of the row-major `values` (`rows` rows).
  public init(values: [Float], rows: Int, columns: Int) {
    var mean = [Double](repeating: 0, count: columns)
    var deviation = [Double](repeating: 0, count: columns)
    for row in 0..<rows {
      for column in 0..<columns { mean[column] += Double(values[row * columns + column]) }
    }
    for column in 0..<columns { mean[column] /= Double(max(rows, 1)) }
    for row in 0..<rows {
      for column in 0..<columns {
        let difference = Double(values[row * columns + column]) - mean[column]
        deviation[column] += difference * difference
      }
    }
    for column in 0..<columns {
      let std = (deviation[column] / Double(max(rows, 1))).squareRoot()
      deviation[column] = std == 0 ? 1 : std
    }
    self.mean = mean
    self.standardDeviation = deviation
  }
}

/// Builds csv data sets from parsed tables.
enum CSVReader {
  static func inspect(path: String, label: String?) throws(DataError) -> DataSchema {
    try load(path: path, label: label, statistics: nil).schema
  }

  /// The data set of the file at `path`, standardised by `statistics` when given.
  static func load(path: String, label: String?, statistics: FeatureStatistics?) throws(DataError)
    -> Dataset
  {
    let table = try CSVTable.read(path)
    let labelColumn = try findLabel(label, in: table)
    let featureColumns = table.columns.indices.filter { $0 != labelColumn }
    if let statistics, statistics.mean.count != featureColumns.count {
      throw DataError(
        path: path,
        message: "standardize: the statistics are for \(statistics.mean.count) feature columns, "
          + "this file has \(featureColumns.count)")
    }
    let rows = table.rowCount
    var classes: Int?
    var labelValues: [Float] = []
    if let labelColumn {
      var largest = -1
      labelValues.reserveCapacity(rows)
      for row in 0..<rows {
        let value = table.value(row: row, column: labelColumn)
        guard value >= 0, value.rounded() == value, value < 1e7 else {
          throw DataError(
            path: path, location: "line \(table.lines[row])",
            message: "expected a class label (a whole number ≥ 0) in column "
              + "'\(table.columns[labelColumn])', found \(formatted(value))")
        }
        largest = max(largest, Int(value))
        labelValues.append(Float(value))
      }
      classes = largest + 1
    }
    // Feature values, standardised when asked.
    var features = [Float](repeating: 0, count: rows * featureColumns.count)
    for row in 0..<rows {
      for (position, column) in featureColumns.enumerated() {
        var value = table.value(row: row, column: column)
        if let statistics {
          value = (value - statistics.mean[position]) / statistics.standardDeviation[position]
        }
        features[row * featureColumns.count + position] = Float(value)
      }
    }
    var fields: [DataField] = []
    var values: [[Float]] = []
    for (column, name) in table.columns.enumerated() where name != "features" {
      if column == labelColumn {
        fields.append(DataField(name: name, shape: [], kind: .classIndex))
        values.append(labelValues)
      } else if let position = featureColumns.firstIndex(of: column) {
        fields.append(DataField(name: name, shape: [], kind: .real))
        values.append((0..<rows).map { features[$0 * featureColumns.count + position] })
      }
    }
    fields.append(DataField(name: "features", shape: [featureColumns.count], kind: .real))
    values.append(features)
    return Dataset(fields: fields, values: values, count: rows, classes: classes)
  }

  private static func findLabel(_ label: String?, in table: CSVTable) throws(DataError) -> Int? {
    guard let label else { return nil }
    guard let column = table.columns.firstIndex(of: label) else {
      throw DataError(
        path: table.path, location: "line 1",
        message: "no label column '\(label)'; the columns are "
          + table.columns.map { "'\($0)'" }.joined(separator: ", "))
    }
    return column
  }

  private static func formatted(_ value: Double) -> String {
    value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
  }
}
