// SVGTests: SVG plots checked with string counts and a small tag-balance checker written here
// (every element closed in order, attributes quoted, no raw '<' or '&' in text).

import Testing

@testable import NetLangTraining

@Suite("svg") struct SVGTests {
  @Test("line plot: one polyline per series, axis labels, title, legend, balanced tags")
  func lines() throws {
    let svg = SVGPlot.lines(
      series: [
        (name: "training", points: (1...10).map { (x: Double($0), y: 10 / Double($0)) }),
        (name: "validation", points: (1...10).map { (x: Double($0), y: 12 / Double($0)) }),
      ], title: "Loss per epoch", xLabel: "epoch", yLabel: "squared error")
    try XMLCheck.balanced(svg)
    #expect(count("<polyline", in: svg) == 2)
    #expect(svg.contains(">epoch</text>"))
    #expect(svg.contains(">squared error</text>"))
    #expect(svg.contains(">Loss per epoch</text>"))
    #expect(svg.contains(">training</text>") && svg.contains(">validation</text>"))
    // x from 1 to 10: step 9/5 → 2, ticks 0, 2, ..., 10; y from 0.83 to 12: step 2.2 → 5,
    // ticks 0, 5, 10, 15.
    for label in ["0", "2", "4", "6", "8", "10"] { #expect(svg.contains(">\(label)</text>")) }
    #expect(svg.contains(">5</text>") && svg.contains(">15</text>"))
    #expect(!svg.contains(">12</text>"))
    #expect(count("<circle", in: svg) == 0)
  }

  @Test("non-finite values are skipped and break the line, never crash")
  func nonFinite() throws {
    let svg = SVGPlot.lines(
      series: [
        (name: "a", points: [(0, 1), (1, .nan), (2, 3), (3, 4), (.infinity, 5), (5, 6)]),
        (name: "empty", points: []), (name: "missing", points: [(.nan, .nan)]),
      ], title: "t", xLabel: "x", yLabel: "y")
    try XMLCheck.balanced(svg)
    #expect(!svg.contains("nan") && !svg.contains("inf"))
    // Only the segment (2,3)-(3,4) has two finite points in a row.
    #expect(count("<polyline", in: svg) == 1)
    let scatter = SVGPlot.scatter(points: [(.nan, 1, 0), (1, .infinity, 1), (2, 2, 2)], title: "s")
    try XMLCheck.balanced(scatter)
    #expect(count("<circle", in: scatter) == 1)
    let empty = SVGPlot.scatter(points: [], title: "nothing")
    try XMLCheck.balanced(empty)
    #expect(count("<circle", in: empty) == 0)
  }

  @Test("scatter: one circle per point, coloured by class, legend of present classes")
  func scatter() throws {
    let points = (0..<100).map { i in (x: Double(i % 7), y: Double(i) * 0.1, class: i % 10) }
    let svg = SVGPlot.scatter(points: points, title: "codes")
    try XMLCheck.balanced(svg)
    #expect(count("<circle", in: svg) == 100)
    for colour in SVGPlot.palette {
      #expect(count("fill=\"\(colour)\" fill-opacity", in: svg) == 10)
    }
    #expect(Set(SVGPlot.palette).count == 10)
    #expect(count("<rect x=", in: svg) == 10)  // legend swatches
    for id in 0..<10 { #expect(svg.contains(">\(id)</text>")) }
  }

  @Test("side by side: two panels, each with its own circles and title")
  func sideBySide() throws {
    let a = (0..<30).map { i in (x: Double(i), y: Double(i * i), class: i % 3) }
    let b = (0..<20).map { i in (x: -Double(i), y: 0.001 * Double(i), class: i % 10) }
    let svg = SVGPlot.sideBySide(
      [(title: "autoencoder", points: a), (title: "PCA", points: b)], title: "2-D codes")
    try XMLCheck.balanced(svg)
    #expect(count("<circle", in: svg) == 50)
    #expect(count("<g transform=\"translate(", in: svg) == 2)
    #expect(svg.contains("width=\"1040.00\""))
    #expect(svg.contains(">autoencoder</text>") && svg.contains(">PCA</text>"))
  }

  @Test("titles and names are XML-escaped")
  func escaping() throws {
    let svg = SVGPlot.lines(
      series: [(name: "a<b & \"c\"", points: [(0, 0), (1, 1)])], title: "x < y > z & 'q'",
      xLabel: "<epoch>", yLabel: "a\u{1}b")
    try XMLCheck.balanced(svg)
    #expect(svg.contains("a&lt;b &amp; &quot;c&quot;"))
    #expect(svg.contains("x &lt; y &gt; z &amp; &apos;q&apos;"))
    #expect(svg.contains("&lt;epoch&gt;"))
    #expect(svg.contains(">ab</text>"))
  }

  @Test("extreme ranges finish with finite coordinates and a few ticks")
  func extremes() throws {
    let cases: [[(x: Double, y: Double)]] = [
      [(0, 1e-320), (1, 2e-320)], [(0, -1e308), (1, 1e308)],
      [(0, -.greatestFiniteMagnitude), (1, .greatestFiniteMagnitude)], [(5, 7)],
      [(0, 1e300), (1, 1e300)], [(-1e-310, 3), (1e-310, 4)],
    ]
    for points in cases {
      let svg = SVGPlot.lines(
        series: [(name: "s", points: points)], title: "t", xLabel: "x", yLabel: "y")
      try XMLCheck.balanced(svg)
      #expect(!svg.contains("nan") && !svg.contains("inf"))
      #expect(count("<text", in: svg) < 60)
    }
  }

  @Test("nice ticks and decimal labels")
  func ticks() {
    #expect(PlotAxis.niceStep(0.9) == 1)
    #expect(PlotAxis.niceStep(1.1) == 2)
    #expect(PlotAxis.niceStep(3) == 5)
    #expect(PlotAxis.niceStep(0.03) == 0.05)
    #expect(PlotAxis.niceStep(700) == 1000)
    let axis = PlotAxis(values: [0.013, 0.091], start: 0, end: 100)
    #expect(axis.step == 0.02)
    #expect(axis.ticks.map(axis.label) == ["0.00", "0.02", "0.04", "0.06", "0.08", "0.10"])
    let flat = PlotAxis(values: [3, 3], start: 0, end: 1)
    #expect(flat.low < 3 && flat.high > 3)
    #expect(SVGText.decimal(-0.004, places: 2) == "0.00")
    #expect(SVGText.decimal(-1.25, places: 1) == "-1.3")
    #expect(SVGText.decimal(0.05, places: 3) == "0.050")
    #expect(SVGText.decimal(42, places: 0) == "42")
  }

  func count(_ needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
  }
}

/// A minimal well-formedness check: tags nest and close, attribute values are quoted, and
/// text holds no raw '<' or unescaped '&'.
enum XMLCheck {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  static func balanced(_ xml: String) throws {
    var stack: [String] = []
    var rest = Substring(xml)
    if rest.hasPrefix("<?xml") {
      guard let end = rest.range(of: "?>") else { throw Failure(description: "open prolog") }
      rest = rest[end.upperBound...]
    }
    while let open = rest.firstIndex(of: "<") {
      try checkText(rest[..<open])
      guard let close = rest[open...].firstIndex(of: ">") else {
        throw Failure(description: "unclosed tag")
      }
      let tag = rest[rest.index(after: open)..<close]
      if tag.hasPrefix("/") {
        let name = String(tag.dropFirst())
        guard stack.popLast() == name else { throw Failure(description: "mismatched </\(name)>") }
      } else {
        let selfClosing = tag.hasSuffix("/")
        let body = selfClosing ? tag.dropLast() : tag
        let name = String(body.prefix { $0 != " " && $0 != "\n" })
        guard !name.isEmpty, !body.contains("<") else { throw Failure(description: "bad tag") }
        guard body.filter({ $0 == "\"" }).count % 2 == 0 else {
          throw Failure(description: "unbalanced quotes in <\(name)>")
        }
        if !selfClosing { stack.append(name) }
      }
      rest = rest[rest.index(after: close)...]
    }
    try checkText(rest)
    guard stack.isEmpty else { throw Failure(description: "unclosed \(stack)") }
  }

  static func checkText(_ text: Substring) throws {
    var remaining = text
    while let amp = remaining.firstIndex(of: "&") {
      let after = remaining[amp...]
      guard ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(where: after.hasPrefix) else {
        throw Failure(description: "raw & in text")
      }
      remaining = remaining[remaining.index(after: amp)...]
    }
  }
}
