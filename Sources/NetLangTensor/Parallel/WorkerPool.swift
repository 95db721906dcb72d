// WorkerPool: runs the parts of a kernel on several threads. Reference version: serial.
// (The kernels work replaces this with persistent worker threads; the API stays.)

/// A fixed set of threads that kernels split work across.
public final class WorkerPool: @unchecked Sendable {
  /// Number of threads work is split across (≥ 1), the caller's included.
  public let threads: Int

  public init(threads: Int) { self.threads = max(1, threads) }

  /// Calls `body(part)` for every part in `0..<parts`, possibly concurrently, and returns when
  /// all are done.
  public func run(parts: Int, _ body: (Int) -> Void) {
    for part in 0..<parts { body(part) }
  }
}
