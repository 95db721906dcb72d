// WorkerPoolTests: every part runs exactly once, on any thread count, repeatedly and nested.

import Foundation
import NetLangTensor
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

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

@Test("parts really run on two threads at once")
func workerPoolUsesWorkers() {
  // Each part waits for the other to arrive; only concurrent execution ends early.
  let overlapped = runTwoPartsConcurrently(WorkerPool(threads: 2)) { _ in }
  #expect(overlapped)
}

@Test("available cores equal the affinity mask the kernel reports in /proc/self/status")
func availableCoresMatchProcStatus() throws {
  #if os(Linux)
    let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed:") })
    let mask = line.dropFirst("Cpus_allowed:".count).filter { $0.isHexDigit }
    let bits = mask.reduce(0) { $0 + (Int(String($1), radix: 16) ?? 0).nonzeroBitCount }
    #expect(WorkerPool.availableCores == bits)
    #expect(WorkerPool.defaultThreads == min(bits, 8))
  #endif
}
