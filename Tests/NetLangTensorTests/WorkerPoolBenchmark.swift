// WorkerPoolBenchmark: prints the cost of an empty handoff and the speedup on two parts of
// busy work. Runs only by hand:
//   NETLANG_BENCH=1 swift test -c release --filter workerPoolBenchmark

import NetLangTensor
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Test("WorkerPool handoff cost and speedup (prints)", .enabled(if: getenv("NETLANG_BENCH") != nil))
func workerPoolBenchmark() {
  let pool = WorkerPool(threads: 2)
  let sink = Atomic<Int>(0)
  func spin(_ iterations: Int) -> Int {
    var x = 1.0
    for _ in 0..<iterations { x = x * 1.000_000_1 + 0.5 }
    return Int(x.bitPattern & 0xFF)
  }
  func time(_ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<20 {
      let start = ContinuousClock.now
      body()
      let elapsed = ContinuousClock.now - start
      best = min(
        best,
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    return best
  }
  let empty = time {
    for _ in 0..<1000 { pool.run(parts: 2) { sink.wrappingAdd($0, ordering: .relaxed) } }
  }
  print("empty 2-part run: \(empty / 1000 * 1e6) us")
  for work in [20_000, 200_000, 2_000_000] {
    // The sink feeds back into the work so the compiler cannot hoist it.
    let serial = time {
      for _ in 0..<2 {
        sink.wrappingAdd(spin(work &+ sink.load(ordering: .relaxed) & 1), ordering: .relaxed)
      }
    }
    let parallel = time {
      pool.run(parts: 2) { _ in
        sink.wrappingAdd(spin(work &+ sink.load(ordering: .relaxed) & 1), ordering: .relaxed)
      }
    }
    print("2 × \(work) iterations: serial \(serial * 1e6) us, pool \(parallel * 1e6) us")
  }
}
