// PlotAxis: the value range of one plot axis, its "nice" ticks (1, 2 or 5 times a power of
// ten) and their labels, plus the mapping from values to SVG coordinates.

/// One axis: values in `low...high` map linearly onto pixels `start...end`.
struct PlotAxis {
  var low: Double
  var high: Double
  var start: Double
  var end: Double
  /// Distance between ticks.
  var step: Double

  /// An axis covering `values` (non-finite ones ignored), widened by `padding` (a fraction of
  /// the span, so markers clear the frame) and then to whole tick steps.
  init(values: [Double], start: Double, end: Double, targetTicks: Int = 5, padding: Double = 0) {
    let finite = values.filter(\.isFinite)
    // Beyond ±1e300 the axis stops (points further out are drawn outside the frame), so the
    // span and the tick count stay finite.
    var low = max(finite.min() ?? 0, -1e300)
    var high = min(finite.max() ?? 1, 1e300)
    if high - low <= 1e-300 {
      let pad = max(abs(low) * 0.5, 1)
      low -= pad
      high += pad
    }
    let margin = (high - low) * max(0, padding)
    low -= margin
    high += margin
    let step = PlotAxis.niceStep((high - low) / Double(max(1, targetTicks)))
    self.low = (low / step).rounded(.down) * step
    self.high = (high / step).rounded(.up) * step
    self.start = start
    self.end = end
    self.step = step
  }

  /// The smallest of 1, 2, 5 × 10^k that is at least `raw`.
  static func niceStep(_ raw: Double) -> Double {
    guard raw.isFinite, raw > 1e-300 else { return 1 }
    var power = 1.0
    while power > raw && power > 1e-300 { power /= 10 }
    while power * 10 <= raw && power < 1e300 { power *= 10 }
    for factor in [1.0, 2, 5, 10] where factor * power >= raw * (1 - 1e-12) {
      return factor * power
    }
    return 10 * power
  }

  /// The pixel coordinate of `value`.
  func position(_ value: Double) -> Double {
    start + (value - low) / (high - low) * (end - start)
  }

  /// Tick values from `low` to `high`.
  var ticks: [Double] {
    let steps = ((high - low) / step).rounded()
    guard steps.isFinite, steps >= 0, steps <= 1000 else { return [low, high] }
    return (0...Int(steps)).map { low + Double($0) * step }
  }

  /// Decimal places that show the step exactly.
  var decimals: Int {
    var places = 0
    var scaled = step
    while places < 10 && abs(scaled - scaled.rounded()) > 1e-9 * max(1, abs(scaled)) {
      scaled *= 10
      places += 1
    }
    return places
  }

  /// A tick label: `value` with `decimals` places, no exponent.
  func label(_ value: Double) -> String { SVGText.decimal(value, places: decimals) }
}
