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

@Test("thread-indexed parts run once each, and parts running at once have different threads")
func workerPoolThreadIndices() {
  let pool = WorkerPool(threads: 2)
  // Two parts that wait for each other run on two threads: they must see indices 0 and 1.
  let seen = UnsafeMutablePointer<Int>.allocate(capacity: 2)
  seen.initialize(repeating: -1, count: 2)
  defer { seen.deallocate() }
  let inside = Atomic<Int>(0)
  pool.run(parts: 2) { part, thread in
    seen[part] = thread
    inside.add(1, ordering: .acquiringAndReleasing)
    for _ in 0..<2000 where inside.load(ordering: .acquiring) < 2 { usleep(1000) }
  }
  #expect(Set([seen[0], seen[1]]) == [0, 1])
  // Many parts: each once, every index within the pool's threads.
  for threads in [1, 3] {
    let pool = WorkerPool(threads: threads)
    let parts = 40
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: parts)
    let indices = UnsafeMutablePointer<Int>.allocate(capacity: parts)
    counts.initialize(repeating: 0, count: parts)
    indices.initialize(repeating: -1, count: parts)
    defer {
      counts.deallocate()
      indices.deallocate()
    }
    pool.run(parts: parts) { part, thread in
      counts[part] += 1
      indices[part] = thread
    }
    #expect((0..<parts).allSatisfy { counts[$0] == 1 })
    #expect((0..<parts).allSatisfy { (0..<threads).contains(indices[$0]) }, "threads \(threads)")
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
