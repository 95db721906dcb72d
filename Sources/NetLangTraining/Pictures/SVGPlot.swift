// SVGPlot: line plots (loss per epoch) and class-coloured scatter plots (2-D codes) as
// standalone SVG documents, and two scatters side by side (autoencoder codes vs PCA).

/// Builds SVG documents.
///
/// Non-finite values are skipped; text is XML-escaped.
public enum SVGPlot {
  /// Ten distinct colours (matplotlib's tab10), one per class id modulo 10.
  public static let palette = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  ]

  /// A line plot: one polyline per series (broken where a value is not finite), axes with
  /// ticks, axis labels, a title and a legend naming the series.
  public static func lines(
    series: [(name: String, points: [(x: Double, y: Double)])], title: String, xLabel: String,
    yLabel: String, width: Double = 640, height: Double = 400
  ) -> String {
    let frame = PlotFrame(width: width, height: height, legendWidth: 140)
    let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
    let x = PlotAxis(values: all.map(\.x), start: frame.left, end: frame.right)
    let y = PlotAxis(values: all.map(\.y), start: frame.bottom, end: frame.top)
    var body = frame.axes(x: x, y: y, title: title, xLabel: xLabel, yLabel: yLabel)
    for (index, entry) in series.enumerated() {
      let colour = palette[index % palette.count]
      var segment: [String] = []
      func flush() {
        if segment.count > 1 {
          body +=
            "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\""
            + segment.joined(separator: " ") + "\"/>\n"
        }
        segment = []
      }
      for point in entry.points {
        guard point.x.isFinite && point.y.isFinite else {
          flush()
          continue
        }
        segment.append(
          SVGText.coordinate(x.position(point.x)) + "," + SVGText.coordinate(y.position(point.y)))
      }
      flush()
    }
    body += frame.legend(series.enumerated().map { ($0.element.name, palette[$0.offset % 10]) })
    return document(width: width, height: height, body: body)
  }

  /// A scatter plot: one circle per point with finite coordinates, filled by class colour,
  /// and a legend of the classes present.
  public static func scatter(
    points: [(x: Double, y: Double, class: Int)], title: String, xLabel: String = "",
    yLabel: String = "", width: Double = 520, height: Double = 440
  ) -> String {
    document(
      width: width, height: height,
      body: scatterBody(points, title: title, xLabel: xLabel, yLabel: yLabel, width, height))
  }

  /// Two or more scatter plots side by side in one document, each panel with its own axes.
  ///
  /// For example the 2-D autoencoder codes next to the first two principal components.
  public static func sideBySide(
    _ panels: [(title: String, points: [(x: Double, y: Double, class: Int)])],
    title: String = "", panelWidth: Double = 520, panelHeight: Double = 440
  ) -> String {
    let top: Double = title.isEmpty ? 0 : 30
    var body = ""
    if !title.isEmpty {
      body +=
        "<text x=\"\(SVGText.coordinate(panelWidth * Double(panels.count) / 2))\" y=\"20\" "
        + "text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">"
        + SVGText.escape(title) + "</text>\n"
    }
    for (index, panel) in panels.enumerated() {
      let dx = SVGText.coordinate(panelWidth * Double(index))
      body += "<g transform=\"translate(\(dx),\(SVGText.coordinate(top)))\">\n"
      body += scatterBody(
        panel.points, title: panel.title, xLabel: "", yLabel: "",
        panelWidth, panelHeight)
      body += "</g>\n"
    }
    return document(
      width: panelWidth * Double(max(1, panels.count)), height: panelHeight + top, body: body)
  }

  static func scatterBody(
    _ points: [(x: Double, y: Double, class: Int)], title: String, xLabel: String,
    yLabel: String, _ width: Double, _ height: Double
  ) -> String {
    let frame = PlotFrame(width: width, height: height, legendWidth: 70)
    let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
    let x = PlotAxis(values: finite.map(\.x), start: frame.left, end: frame.right, padding: 0.03)
    let y = PlotAxis(values: finite.map(\.y), start: frame.bottom, end: frame.top, padding: 0.03)
    var body = frame.axes(x: x, y: y, title: title, xLabel: xLabel, yLabel: yLabel)
    for point in finite {
      body +=
        "<circle cx=\"\(SVGText.coordinate(x.position(point.x)))\" cy=\""
        + SVGText.coordinate(y.position(point.y)) + "\" r=\"2.5\" fill=\""
        + colour(point.class) + "\" fill-opacity=\"0.7\"/>\n"
    }
    let classes = Set(finite.map(\.class)).sorted()
    body += frame.legend(classes.map { (String($0), colour($0)) })
    return body
  }

  /// The colour of class `id` (black for negative ids).
  public static func colour(_ id: Int) -> String { id < 0 ? "#000000" : palette[id % 10] }

  static func document(width: Double, height: Double, body: String) -> String {
    let w = SVGText.coordinate(width)
    let h = SVGText.coordinate(height)
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" "
      + "viewBox=\"0 0 \(w) \(h)\" font-family=\"sans-serif\" font-size=\"12\">\n"
      + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body + "</svg>\n"
  }
}
