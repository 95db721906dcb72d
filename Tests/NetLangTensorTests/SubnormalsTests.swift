// SubnormalsTests: flushing subnormals to zero changes what the arithmetic returns, is undone
// when restored, and reaches the worker threads of a pool made while it is on.

import NetLangTensor
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// x · y computed at run time (never constant-folded).
@inline(never)
func runtimeProduct(_ x: Float, _ y: Float) -> Float { x * y }

#if os(Linux) && (arch(x86_64) || arch(arm64))
  @Test("flushed: subnormal results and inputs become zero; restored: they come back")
  func subnormalsFlushAndRestore() {
    let subnormal = Float.leastNormalMagnitude / 4
    #expect(subnormal.isSubnormal)
    let before = Subnormals.setFlushed(true)
    #expect(Subnormals.areFlushed)
    let halvedNormal = runtimeProduct(Float.leastNormalMagnitude, 0.5)
    let subnormalTimesOne = runtimeProduct(subnormal, 1)
    let normal = runtimeProduct(Float.leastNormalMagnitude, 2)
    let wasFlushed = Subnormals.setFlushed(false)
    #expect(wasFlushed)
    #expect(!Subnormals.areFlushed)
    let keptHalved = runtimeProduct(Float.leastNormalMagnitude, 0.5)
    Subnormals.setFlushed(before)

    #expect(halvedNormal == 0)
    #expect(subnormalTimesOne == 0)
    #expect(normal == 2 * Float.leastNormalMagnitude)
    #expect(keptHalved == Float.leastNormalMagnitude / 2)
  }

  @Test(
    "a pool's workers take the subnormal mode of the thread that made it", arguments: [true, false])
  func workerPoolInheritsSubnormalMode(flushed: Bool) {
    let before = Subnormals.setFlushed(flushed)
    let pool = WorkerPool(threads: 2)
    Subnormals.setFlushed(before)
    let flushedParts = Atomic<Int>(0)
    let zeroProducts = Atomic<Int>(0)
    // One of the two parts runs on the worker.
    let ranConcurrently = runTwoPartsConcurrently(pool) { _ in
      if Subnormals.areFlushed { flushedParts.add(1, ordering: .relaxed) }
      if runtimeProduct(Float.leastNormalMagnitude, 0.5) == 0 {
        zeroProducts.add(1, ordering: .relaxed)
      }
    }
    let flushedCount = flushedParts.load(ordering: .acquiring)
    let zeroCount = zeroProducts.load(ordering: .acquiring)
    #expect(ranConcurrently)
    // The caller's part runs in the caller's (restored) mode; the worker's in the pool's.
    let callerFlushed = Subnormals.areFlushed ? 1 : 0
    let workerFlushed = flushed ? 1 : 0
    #expect(flushedCount == callerFlushed + workerFlushed)
    #expect(zeroCount == callerFlushed + workerFlushed)
  }
#endif
