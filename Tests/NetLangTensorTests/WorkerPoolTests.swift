// WorkerPoolTests: every part runs exactly once, on any thread count, repeatedly and nested.

import Synchronization
import Testing

import NetLangTensor

@Test("every part runs exactly once", arguments: [1, 2, 4])
func workerPoolRunsEachPartOnce(threads: Int) {
  let pool = WorkerPool(threads: threads)
  for parts in [0, 1, 2, 3, 7, 64] {
    for _ in 0..<20 {
      let counts = UnsafeMutablePointer<Int>.allocate(capacity: max(parts, 1))
      counts.initialize(repeating: 0, count: max(parts, 1))
      defer { counts.deallocate() }
      pool.run(parts: parts) { part in counts[part] += 1 }
      #expect((0..<parts).allSatisfy { counts[$0] == 1 }, "parts \(parts)")
    }
  }
}

@Test("a run issued inside a part runs serially instead of deadlocking")
func workerPoolNestedRun() {
  let pool = WorkerPool(threads: 2)
  let total = Atomic<Int>(0)
  pool.run(parts: 4) { _ in
    pool.run(parts: 3) { _ in total.add(1, ordering: .relaxed) }
  }
  #expect(total.load(ordering: .relaxed) == 12)
}

@Test("pools shut down cleanly when released")
func workerPoolShutdown() {
  for _ in 0..<10 {
    let pool = WorkerPool(threads: 3)
    let total = Atomic<Int>(0)
    pool.run(parts: 5) { part in total.add(part, ordering: .relaxed) }
    #expect(total.load(ordering: .relaxed) == 10)
  }
}
