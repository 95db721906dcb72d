// GemmChunks: a product split by columns into chunks the pool's threads claim as they come
// free, biggest first (guided scheduling), one thread from the left end and the other from
// the right, each packing op(A) once for all its chunks (when A is not read in place).
//
// Why: with one fixed half per thread, a product waits for the slower half, and on a shared
// machine either core runs 5-20% slower for a while. Measured on the 2-vCPU VM (pool timers):
// in the mlp's step the worker's half finished 15-120 µs after the caller's; in chunks the
// two finish within 12-26 µs. The mlp's and the autoencoder's products alone ran 1.01-1.31×
// as fast in chunks (NT 256x512x784 1.01-1.05, TN 512x784x256 1.05-1.11, NN 100x1000x500
// 1.31; medians of 16 alternated rounds). Packing A once for both threads instead (each
// packs half, then both read all of it) was 0.87-1.01× the private copies.
//
// Why from both ends: claimed in one order, a column went to either thread from one call to
// the next, and writing C (and the activation's output) was slow, most likely because each
// cache line had to come over from the other core: filling the bias into a chunk's columns of
// the mlp's 256×512 output took 50 µs per thread at 2 threads. From both ends, each thread
// keeps mostly the same columns: training steps 1.02-1.08× (mlp, lenet, autoencoder;
// alternated in one process).

import Synchronization

extension Gemm {
  /// Most Floats of packed op(A) a thread keeps for a chunked split (1 MiB: it is re-read
  /// from L2 for every chunk); bigger products split in fixed parts, unless A is read in place.
  static let chunkedPackedALimit = 1 << 18

  /// The most column tiles a chunked split takes (its chunk table lives on the stack).
  static let chunkedTileLimit = 1024

  /// Whether `problem` split by columns over `threads` threads goes in chunks.
  static func splitsInChunks(_ problem: Problem, threads: Int, kernel: GemmKernel) -> Bool {
    let tiles = (problem.n &+ kernel.columns &- 1) / kernel.columns
    return tiles > threads && tiles <= chunkedTileLimit
      && (problem.readsAInPlace(kernel) || problem.packedACount(kernel) <= chunkedPackedALimit)
  }

  /// Splits `tiles` column tiles into chunks for `threads` threads, biggest first from both
  /// ends: the guided sizes (each ⌈remaining / (2 · threads)⌉ tiles) go alternately to the left
  /// end and the right end, so a thread working from either end starts with about a quarter
  /// of the work and the last chunks, in the middle, are single tiles that even out the
  /// finish. Writes the chunk boundaries in column order (in tiles, from 0 to `tiles`) to
  /// `bounds` (room for `tiles + 1`) and returns the number of chunks.
  package static func chunkBounds(
    tiles: Int, threads: Int, into bounds: UnsafeMutablePointer<Int>
  ) -> Int {
    let share = 2 &* max(threads, 1)
    func size(remaining: Int) -> Int { max(1, (remaining &+ share &- 1) / share) }
    var chunks = 0
    var start = 0
    while start < tiles {
      start &+= size(remaining: tiles &- start)
      chunks &+= 1
    }
    bounds[0] = 0
    bounds[chunks] = tiles
    var (left, right, remaining) = (0, chunks, tiles)
    for index in 0..<chunks {
      let tilesNow = size(remaining: remaining)
      remaining &-= tilesNow
      if index & 1 == 0 {
        bounds[left &+ 1] = bounds[left] &+ tilesNow
        left &+= 1
      } else {
        bounds[right &- 1] = bounds[right] &- tilesNow
        right &-= 1
      }
    }
    return chunks
  }

  /// `problem` (bias not yet filled) split by columns into chunks sized for `threads`
  /// threads of `pool`: each chunk fills its bias, computes its columns of C (all rows) and
  /// applies the activation to them; a thread packs all of op(A) before its first chunk.
  ///
  /// Every element of C is computed by the same tile code in the same order as unsplit: the
  /// chunks start on tile boundaries, so the results do not depend on who computes what.
  static func multiplyInChunks(
    _ problem: Problem, rowBias: UnsafePointer<Float>?, activation: Activation?,
    consumer: (any GemmBlockConsumer)?, pool: WorkerPool, threads: Int, kernel: GemmKernel
  ) {
    let nr = kernel.columns
    let tiles = (problem.n &+ nr &- 1) / nr
    // Any of the pool's threads may claim a chunk: each has a slot.
    let slots = pool.threads
    let inPlace = problem.readsAInPlace(kernel)
    let aCount = inPlace ? 0 : problem.packedACount(kernel)
    withUnsafeTemporaryAllocation(of: Int.self, capacity: tiles &+ 1 &+ slots) { table in
      guard let bounds = table.baseAddress else { return }
      let chunks = chunkBounds(tiles: tiles, threads: threads, into: bounds)
      // Per thread: whether its copy of packed A is ready.
      let packed = bounds + (tiles &+ 1)
      packed.initialize(repeating: 0, count: slots)
      // Chunks not yet claimed: low | high << 32.
      let unclaimed = Atomic<Int>(chunks << 32)
      GemmScratch.shared.withFloats(aCount &* slots) { scratch in
        pool.run(parts: slots) { _, thread in
          let packedA = scratch + thread &* aCount
          // Thread 1 works from the right end, the others from the left: a thread keeps
          // computing (and writing) mostly the same columns from one call to the next.
          let fromRight = thread == 1
          while true {
            var current = unclaimed.load(ordering: .relaxed)
            var chunk = -1
            while current & 0xFFFF_FFFF < current >> 32 {
              let next = fromRight ? current &- (1 << 32) : current &+ 1
              let (exchanged, original) = unclaimed.compareExchange(
                expected: current, desired: next, ordering: .relaxed)
              if exchanged {
                chunk = fromRight ? (current >> 32) &- 1 : current & 0xFFFF_FFFF
                break
              }
              current = original
            }
            guard chunk >= 0 else { return }
            if packed[thread] == 0 && !inPlace {
              problem.packA(kernel: kernel, into: packedA)
              packed[thread] = 1
            }
            let first = bounds[chunk] &* nr
            let last = min(problem.n, bounds[chunk &+ 1] &* nr)
            let block = problem.columns(first, last)
            if let rowBias { block.fill(rowBias + first) }
            block.multiplyBlocked(
              kernel: kernel, packedA: inPlace ? nil : packedA, consumer: consumer)
            activation?.apply(
              problem.c, ldc: problem.ldc, row: 0, column: first, rows: block.m,
              columns: block.n)
          }
        }
      }
    }
  }
}
