// Interrupts: Ctrl-C (SIGINT) and SIGTERM during training or watching. The first asks the
// loop to stop after the current step (training then writes a checkpoint); a second Ctrl-C
// quits at once, writing nothing more (checkpoints are written atomically, so nothing is left
// half-done).
//
// NOTE: the handler is a plain C signal handler that only bumps an atomic counter (async-
// signal-safe). A dispatch signal source was tried first and missed signals once Foundation's
// Process had started a child.

import Foundation
import Synchronization

/// Catches SIGINT and SIGTERM while installed.
final class Interrupts: @unchecked Sendable {
  /// Signals received by the process since it started (shared by every instance).
  private static let received = Atomic<Int>(0)

  private let requested = Atomic<Int>(0)
  private var baseline = 0
  private var installed = false

  /// True once an interrupt has been requested (a signal since `install`, or `request`).
  var isRequested: Bool {
    requested.load(ordering: .relaxed) > 0
      || (installed && Interrupts.received.load(ordering: .relaxed) > baseline)
  }

  /// Starts catching signals.
  func install() {
    baseline = Interrupts.received.load(ordering: .relaxed)
    installed = true
    let handler: @convention(c) (Int32) -> Void = { _ in
      let count = Interrupts.received.add(1, ordering: .relaxed).newValue
      if count >= 2 { _exit(130) }
    }
    signal(SIGINT, handler)
    signal(SIGTERM, handler)
  }

  /// Stops catching signals and restores their default action.
  func uninstall() {
    installed = false
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }

  /// As if the user had pressed Ctrl-C once (used by tests through the same path).
  func request() { requested.add(1, ordering: .relaxed) }
}
