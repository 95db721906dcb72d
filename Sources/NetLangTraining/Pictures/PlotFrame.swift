// PlotFrame: the margins of one plot, its axes (lines, ticks, tick labels, axis labels,
// title) and its legend, as SVG fragments.

/// The plot area inside a `width × height` panel, with room on the right for a legend.
struct PlotFrame {
  var width: Double
  var height: Double
  var left: Double = 64
  var top: Double = 36
  var right: Double
  var bottom: Double

  init(width: Double, height: Double, legendWidth: Double) {
    self.width = max(width, 200)
    self.height = max(height, 150)
    right = self.width - legendWidth - 10
    bottom = self.height - 48
  }

  /// Grid lines, axis lines, tick marks with labels, axis labels and the title.
  func axes(x: PlotAxis, y: PlotAxis, title: String, xLabel: String, yLabel: String) -> String {
    let c = SVGText.coordinate
    var out = "<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">\n"
    for tick in x.ticks {
      let p = c(x.position(tick))
      out += "<line x1=\"\(p)\" y1=\"\(c(bottom))\" x2=\"\(p)\" y2=\"\(c(top))\"/>\n"
    }
    for tick in y.ticks {
      let p = c(y.position(tick))
      out += "<line x1=\"\(c(left))\" y1=\"\(p)\" x2=\"\(c(right))\" y2=\"\(p)\"/>\n"
    }
    out += "</g>\n<g class=\"axes\" stroke=\"#000000\" stroke-width=\"1\">\n"
    out += "<line x1=\"\(c(left))\" y1=\"\(c(bottom))\" x2=\"\(c(right))\" y2=\"\(c(bottom))\"/>\n"
    out += "<line x1=\"\(c(left))\" y1=\"\(c(bottom))\" x2=\"\(c(left))\" y2=\"\(c(top))\"/>\n"
    for tick in x.ticks {
      let p = c(x.position(tick))
      out += "<line x1=\"\(p)\" y1=\"\(c(bottom))\" x2=\"\(p)\" y2=\"\(c(bottom + 5))\"/>\n"
    }
    for tick in y.ticks {
      let p = c(y.position(tick))
      out += "<line x1=\"\(c(left - 5))\" y1=\"\(p)\" x2=\"\(c(left))\" y2=\"\(p)\"/>\n"
    }
    out += "</g>\n<g class=\"tick-labels\" fill=\"#000000\">\n"
    for tick in x.ticks {
      out +=
        "<text x=\"\(c(x.position(tick)))\" y=\"\(c(bottom + 18))\" text-anchor=\"middle\">"
        + x.label(tick) + "</text>\n"
    }
    for tick in y.ticks {
      out +=
        "<text x=\"\(c(left - 8))\" y=\"\(c(y.position(tick) + 4))\" text-anchor=\"end\">"
        + y.label(tick) + "</text>\n"
    }
    out += "</g>\n"
    let middleX = c((left + right) / 2)
    out +=
      "<text class=\"title\" x=\"\(middleX)\" y=\"\(c(top - 14))\" text-anchor=\"middle\" "
      + "font-size=\"14\" font-weight=\"bold\">\(SVGText.escape(title))</text>\n"
    if !xLabel.isEmpty {
      out +=
        "<text class=\"x-label\" x=\"\(middleX)\" y=\"\(c(bottom + 38))\" "
        + "text-anchor=\"middle\">\(SVGText.escape(xLabel))</text>\n"
    }
    if !yLabel.isEmpty {
      let middleY = c((top + bottom) / 2)
      out +=
        "<text class=\"y-label\" x=\"16\" y=\"\(middleY)\" text-anchor=\"middle\" "
        + "transform=\"rotate(-90 16 \(middleY))\">\(SVGText.escape(yLabel))</text>\n"
    }
    return out
  }

  /// A legend: a colour swatch and a name per entry, top to bottom right of the plot area.
  func legend(_ entries: [(name: String, colour: String)]) -> String {
    let c = SVGText.coordinate
    var out = "<g class=\"legend\">\n"
    for (index, entry) in entries.enumerated() {
      let y = top + 4 + Double(index) * 18
      out +=
        "<rect x=\"\(c(right + 14))\" y=\"\(c(y))\" width=\"12\" height=\"12\" "
        + "fill=\"\(entry.colour)\"/>\n"
      out +=
        "<text x=\"\(c(right + 32))\" y=\"\(c(y + 10))\">\(SVGText.escape(entry.name))</text>\n"
    }
    return out + "</g>\n"
  }
}
