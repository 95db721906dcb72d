// ConcurrentParts: runs two parts of a pool job that wait for each other, so one of them is
// certain to run on a worker thread.

import NetLangTensor
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Runs `body(part)` for parts 0 and 1 of one `pool.run`, each after waiting (up to ~2 s) for
/// the other to start; true when they did overlap (two threads ran them).
func runTwoPartsConcurrently(_ pool: WorkerPool, _ body: (Int) -> Void) -> Bool {
  let inside = Atomic<Int>(0)
  let overlap = Atomic<Bool>(false)
  pool.run(parts: 2) { part in
    inside.add(1, ordering: .acquiringAndReleasing)
    for _ in 0..<2000 {
      if inside.load(ordering: .acquiring) == 2 {
        overlap.store(true, ordering: .releasing)
        break
      }
      usleep(1000)
    }
    body(part)
  }
  return overlap.load(ordering: .acquiring)
}
