// GemmChunks: a product split by columns into chunks the pool's threads claim as they come
// free, biggest first (guided scheduling), each thread packing op(A) once for all its chunks.
//
// Why: with one fixed half per thread, a product waits for the slower half, and on a shared
// machine either core runs 5-20% slower for a while. Measured on the 2-vCPU VM (pool timers):
// in the mlp's step the worker's half finished 15-120 µs after the caller's; in chunks the
// two finish within 12-26 µs. The mlp's and the autoencoder's products alone ran 1.01-1.31×
// as fast in chunks (NT 256x512x784 1.01-1.05, TN 512x784x256 1.05-1.11, NN 100x1000x500
// 1.31; medians of 16 alternated rounds). Packing A once for both threads instead (each
// packs half, then both read all of it) was 0.87-1.01× the private copies.

extension Gemm {
  /// Most Floats of packed op(A) a thread keeps for a chunked split (1 MiB: it is re-read
  /// from L2 for every chunk); bigger products split in fixed parts.
  static let chunkedPackedALimit = 1 << 18

  /// The most column tiles a chunked split takes (its chunk table lives on the stack).
  static let chunkedTileLimit = 1024

  /// Whether `problem` split by columns over `threads` threads goes in chunks.
  static func splitsInChunks(_ problem: Problem, threads: Int, kernel: GemmKernel) -> Bool {
    let tiles = (problem.n &+ kernel.columns &- 1) / kernel.columns
    return tiles > threads && tiles <= chunkedTileLimit
      && problem.packedACount(kernel) <= chunkedPackedALimit
  }

  /// Splits `tiles` column tiles into chunks for `threads` threads, biggest first: each takes
  /// ⌈remaining / (2 · threads)⌉ tiles, so the first chunks keep every thread busy for about
  /// half the work and the last ones are single tiles that even out the finish. Writes the
  /// chunk boundaries (in tiles, starting with 0) to `bounds` (room for `tiles + 1`) and
  /// returns the number of chunks.
  package static func chunkBounds(
    tiles: Int, threads: Int, into bounds: UnsafeMutablePointer<Int>
  ) -> Int {
    let share = 2 &* max(threads, 1)
    var count = 0
    var start = 0
    bounds[0] = 0
    while start < tiles {
      start &+= max(1, (tiles &- start &+ share &- 1) / share)
      count &+= 1
      bounds[count] = start
    }
    return count
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
      GemmScratch.shared.withFloats(aCount &* slots) { scratch in
        pool.run(parts: chunks) { chunk, thread in
          let packedA = scratch + thread &* aCount
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
