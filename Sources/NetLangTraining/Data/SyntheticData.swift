// SyntheticData: the generated data sets `xor` and `spirals`, and inline `table` data.

import Foundation
import NetLangTensor

/// Builds the data sets that are not read from files.
enum SyntheticData {
  /// The XOR data set: `samples` examples cycling through the four corners.
  ///
  /// The corners are (0,0), (0,1), (1,0), (1,1) in turn, each coordinate plus `noise` times a standard normal draw (x₀ then x₁) when `noise` is not 0.
  /// Fields `x [2]`, `y [1]` (their exclusive or) and `label []` (the same as a class).
  static func xor(samples: Int, noise: Double, seed: UInt64) throws(DataError) -> Dataset {
    guard samples >= 1, samples <= 100_000_000 else {
      throw DataError(
        path: "", message: "xor: samples must be between 1 and 100000000, found \(samples)")
    }
    var random = Random(seed: seed)
    var x = [Float](repeating: 0, count: 2 * samples)
    var y = [Float](repeating: 0, count: samples)
    for example in 0..<samples {
      let corner = example % 4
      var first = Double(corner / 2)
      var second = Double(corner % 2)
      if noise != 0 {
        first += noise * random.normal()
        second += noise * random.normal()
      }
      x[2 * example] = Float(first)
      x[2 * example + 1] = Float(second)
      y[example] = (corner == 1 || corner == 2) ? 1 : 0
    }
    return Dataset(
      fields: [
        DataField(name: "x", shape: [2], kind: .real),
        DataField(name: "y", shape: [1], kind: .real),
        DataField(name: "label", shape: [], kind: .classIndex),
      ],
      values: [x, y, y], count: samples, classes: 2)
  }

  /// Sine waves for sequence models: example e has phase φ ~ U(0, 2π) and angular frequency
  /// ω ~ U(0.1, 0.5) radians per step; x_t = sin(φ + ω·t), y_t = x_{t+1}, t in 0..<steps.
  static func waves(count: Int, steps: Int, seed: UInt64) throws(DataError) -> Dataset {
    let (total, overflow) = count.multipliedReportingOverflow(by: steps)
    guard count >= 1, steps >= 1, !overflow, total <= 100_000_000 else {
      throw DataError(
        path: "", message: "waves: \(count) waves of \(steps) steps are too many or too few")
    }
    var random = Random(seed: seed)
    var x = [Float](repeating: 0, count: total)
    var y = [Float](repeating: 0, count: total)
    for example in 0..<count {
      let phase = random.uniform(0, 2 * Double.pi)
      let frequency = random.uniform(0.1, 0.5)
      for step in 0..<steps {
        x[example * steps + step] = Float(sin(phase + frequency * Double(step)))
        y[example * steps + step] = Float(sin(phase + frequency * Double(step + 1)))
      }
    }
    return Dataset(
      fields: [
        DataField(name: "x", shape: [steps, 1], kind: .real),
        DataField(name: "y", shape: [steps, 1], kind: .real),
      ],
      values: [x, y], count: count)
  }

  /// CS231n's spirals: arm j has `points` examples with radius r = linspace(0, 1) and angle
  /// t = linspace(4j, 4(j+1)) + noise·N(0, 1), at (r·sin t, r·cos t), label j; arm-major order.
  static func spirals(arms: Int, points: Int, noise: Double, seed: UInt64) throws(DataError)
    -> Dataset
  {
    guard arms >= 1, points >= 1 else {
      throw DataError(
        path: "",
        message: "spirals: arms and points must be at least 1, found \(arms) and \(points)")
    }
    let (count, overflow) = arms.multipliedReportingOverflow(by: points)
    guard !overflow, count <= 100_000_000 else {
      throw DataError(path: "", message: "spirals: \(arms) arms of \(points) points are too many")
    }
    var random = Random(seed: seed)
    var x = [Float](repeating: 0, count: 2 * count)
    var label = [Float](repeating: 0, count: count)
    for arm in 0..<arms {
      for point in 0..<points {
        let fraction = points == 1 ? 0 : Double(point) / Double(points - 1)
        let radius = fraction
        let angle = Double(arm * 4) + 4 * fraction + noise * random.normal()
        let example = arm * points + point
        x[2 * example] = Float(radius * sin(angle))
        x[2 * example + 1] = Float(radius * cos(angle))
        label[example] = Float(arm)
      }
    }
    return Dataset(
      fields: [
        DataField(name: "x", shape: [2], kind: .real),
        DataField(name: "label", shape: [], kind: .classIndex),
      ],
      values: [x, label], count: count, classes: arms)
  }

  /// One field per column; every column must have the same number of rows, and every row of a
  /// column the same length.
  static func table(_ columns: [TableColumn]) throws(DataError) -> Dataset {
    guard let first = columns.first else {
      throw DataError(path: "", message: "table: expected at least one column")
    }
    let count = first.rows.count
    var fields: [DataField] = []
    var values: [[Float]] = []
    var classes: Int?
    for column in columns {
      guard column.rows.count == count else {
        throw DataError(
          path: "", location: "table column '\(column.name)'",
          message: "\(column.rows.count) rows, expected \(count) as in '\(first.name)'")
      }
      let width = column.shape?.elementCount ?? column.rows.first?.count ?? 0
      var flat: [Float] = []
      flat.reserveCapacity(count * width)
      for (number, row) in column.rows.enumerated() {
        guard row.count == width else {
          throw DataError(
            path: "", location: "table column '\(column.name)', row \(number + 1)",
            message: "\(row.count) values, expected \(width)")
        }
        for value in row {
          if column.kind == .classIndex && !(value >= 0 && value.rounded() == value && value < 1e7)
          {
            throw DataError(
              path: "", location: "table column '\(column.name)', row \(number + 1)",
              message: "expected a class label (a whole number ≥ 0), found \(value)")
          }
          flat.append(Float(value))
        }
      }
      if column.kind == .classIndex {
        classes = max(classes ?? 0, Int(flat.max() ?? -1) + 1)
      }
      fields.append(DataField(name: column.name, shape: column.shape ?? [width], kind: column.kind))
      values.append(flat)
    }
    return Dataset(fields: fields, values: values, count: count, classes: classes)
  }
}
