// Plot: `--plot PATH`: training and validation loss per epoch as an SVG line plot.

import NetLangTraining

extension Session {
  func writePlot(_ history: [EpochReport], model: String, to path: String) throws(RunFailure) {
    var series: [(name: String, points: [(x: Double, y: Double)])] = [
      ("training loss", history.map { (Double($0.epoch), $0.loss) })
    ]
    if history.contains(where: { $0.validationLoss != nil }) {
      series.append(
        ("validation loss", history.map { (Double($0.epoch), $0.validationLoss ?? .nan) }))
    }
    let svg = SVGPlot.lines(
      series: series, title: "\(model): loss per epoch", xLabel: "epoch", yLabel: "loss")
    try writeFile(Array(svg.utf8), to: path, what: "the loss plot")
  }

  /// Writes `bytes` atomically, creating the folder; reports where.
  func writeFile(_ bytes: [UInt8], to path: String, what: String) throws(RunFailure) {
    try prepareFolder(for: path)
    do {
      try AtomicFile.write(bytes, to: path)
    } catch {
      console.writeError("netlang: error[E0505]: cannot write \(what): \(error)\n")
      throw RunFailure(status: .runtimeFailure)
    }
    console.write("wrote \(what) to \(path)\n")
  }
}
