// SVGText: escaping text for XML and formatting numbers for SVG attributes and labels,
// without Foundation's formatters.

/// Text helpers for SVG output.
enum SVGText {
  /// `text` with the five XML special characters escaped; control characters other than tab
  /// and newline (not allowed in XML 1.0) are dropped.
  static func escape(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\t", "\n": out.unicodeScalars.append(scalar)
      default:
        if scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }

  /// `value` rounded to `places` decimals: `decimal(0.125, places: 2) == "0.13"`.
  static func decimal(_ value: Double, places: Int) -> String {
    guard value.isFinite else { return "0" }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9e15 else { return String(value) }
    let whole = Int(scaled)
    let negative = value < 0 && whole != 0
    var digits = String(whole)
    if places > 0 {
      if digits.count <= places {
        digits = String(repeating: "0", count: places - digits.count + 1) + digits
      }
      digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -places))
    }
    return (negative ? "-" : "") + digits
  }

  /// A coordinate with two decimals (enough for pixels).
  static func coordinate(_ value: Double) -> String { decimal(value, places: 2) }
}
