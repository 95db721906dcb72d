// Interrupts: Ctrl-C (SIGINT) and SIGTERM during training. The first asks the training loop
// to stop after the current step (it then writes a checkpoint); a second Ctrl-C quits at once,
// writing nothing more (checkpoints are written atomically, so nothing is left half-done).

import Dispatch
import Foundation
import Synchronization

/// Catches SIGINT and SIGTERM while installed.
final class Interrupts: @unchecked Sendable {
  private let requested = Atomic<Int>(0)
  private var sources: [DispatchSourceSignal] = []
  private let queue = DispatchQueue(label: "netlang.signals")

  /// True once an interrupt has been requested.
  var isRequested: Bool { requested.load(ordering: .relaxed) > 0 }

  /// Starts catching signals.
  func install() {
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler { [weak self] in
        guard let self else { return }
        let count = self.requested.add(1, ordering: .relaxed).newValue
        if count >= 2 { _exit(130) }
      }
      source.resume()
      sources.append(source)
    }
  }

  /// Stops catching signals and restores their default action.
  func uninstall() {
    for source in sources { source.cancel() }
    sources.removeAll()
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }

  /// As if the user had pressed Ctrl-C once (used by tests through the same path).
  func request() { requested.add(1, ordering: .relaxed) }
}
