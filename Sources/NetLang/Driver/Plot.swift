// Plot: `--plot PATH`, training and validation loss per epoch as SVG.

import NetLangTraining

extension Session {
  func writePlot(_ history: [EpochReport], model: String, to path: String) throws(RunFailure) {
    console.writeError("netlang: note: --plot is not available yet\n")
  }
}
