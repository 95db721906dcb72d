// GemmProblem: one C = alpha·op(A)·op(B) + beta·C call as a value, with the BLIS loop nest
// (jc → pc → pack B → ic → pack A → jr → ir → micro-kernel) and the small-size direct loop.
//
// M, N, K as in Gemm.swift; MR × NR tile; MC, KC, NC block sizes from the GemmKernel.

extension Gemm {
  /// Operands and sizes of one multiply; sub-ranges of it are handed to worker threads.
  struct Problem: @unchecked Sendable {
    var transposeA: Bool
    var transposeB: Bool
    var m: Int
    var n: Int
    var k: Int
    var alpha: Float
    var a: UnsafePointer<Float>
    var lda: Int
    var b: UnsafePointer<Float>
    var ldb: Int
    var beta: Float
    var c: UnsafeMutablePointer<Float>
    var ldc: Int
    /// Where this problem's C starts in the whole product's C (the block consumer's
    /// coordinates).
    var rowOrigin = 0
    var columnOrigin = 0

    /// The rows `first ..< last` of C.
    func rows(_ first: Int, _ last: Int) -> Problem {
      var sub = self
      sub.m = last &- first
      sub.a = transposeA ? a + first : a + (first &* lda)
      sub.c = c + (first &* ldc)
      sub.rowOrigin = rowOrigin &+ first
      return sub
    }

    /// The columns `first ..< last` of C.
    func columns(_ first: Int, _ last: Int) -> Problem {
      var sub = self
      sub.n = last &- first
      sub.b = transposeB ? b + (first &* ldb) : b + first
      sub.c = c + first
      sub.columnOrigin = columnOrigin &+ first
      return sub
    }

    /// Every row of C set to `row` (N values).
    func fill(_ row: UnsafePointer<Float>) {
      for i in 0..<m { (c + i &* ldc).update(from: row, count: n) }
    }

    /// C = beta · C (beta = 0 writes zeros even over NaN).
    func scaleC() {
      for i in 0..<m {
        let row = c + (i &* ldc)
        for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
      }
    }

    /// i-p-j loops without packing, for products too small to amortise it.
    func multiplyDirect() {
      scaleC()
      for i in 0..<m {
        let row = c + (i &* ldc)
        for p in 0..<k {
          let x = alpha * (transposeA ? a[p &* lda &+ i] : a[i &* lda &+ p])
          if transposeB {
            for j in 0..<n { row[j] += x * b[j &* ldb &+ p] }
          } else {
            let bRow = b + (p &* ldb)
            for j in 0..<n { row[j] += x * bRow[j] }
          }
        }
      }
    }

    /// KC, MC and NC for this product: even blocks of at most the kernel's sizes (784 deep
    /// becomes 4 × 196, not 3 × 256 + 16).
    func blockSizes(_ kernel: GemmKernel) -> (kc: Int, mc: Int, nc: Int) {
      (
        evenBlock(k, limit: kernel.depthBlock, multiple: 1),
        evenBlock(m, limit: kernel.rowBlock, multiple: kernel.rows),
        evenBlock(n, limit: kernel.columnBlock, multiple: kernel.columns)
      )
    }

    /// Floats of all of op(B) packed: one KC × NC slot per (column block, depth block).
    func packedBCount(_ kernel: GemmKernel) -> Int {
      let (kc, _, nc) = blockSizes(kernel)
      return (n &+ nc &- 1) / nc &* ((k &+ kc &- 1) / kc) &* kc &* nc
    }

    /// Packs part `part` of `parts` of every block of op(B) into `packed` (laid out as
    /// `multiplyBlocked(kernel:packedB:)` reads it); the parts together pack all of it.
    func packB(
      part: Int, of parts: Int, kernel: GemmKernel, into packed: UnsafeMutablePointer<Float>
    ) {
      let (kc, _, nc) = blockSizes(kernel)
      let nr = kernel.columns
      var slot = packed
      var jc = 0
      while jc < n {
        let ncNow = min(nc, n &- jc)
        let panels = (ncNow &+ nr &- 1) / nr
        let first = panels &* part / parts
        let last = panels &* (part &+ 1) / parts
        var pc = 0
        while pc < k {
          let kcNow = min(kc, k &- pc)
          if last > first {
            GemmPacking.packB(
              transposed: transposeB, b: b, ldb: ldb, depth0: pc, column0: jc &+ first &* nr,
              depth: kcNow, columns: min(ncNow, last &* nr) &- first &* nr, tileColumns: nr,
              into: slot + first &* nr &* kcNow)
          }
          slot += kc &* nc
          pc &+= kcNow
        }
        jc &+= ncNow
      }
    }

    /// Floats of all of op(A) packed by `packA(kernel:into:)`: its rows rounded up to whole
    /// tiles, times K.
    func packedACount(_ kernel: GemmKernel) -> Int {
      (m &+ kernel.rows &- 1) / kernel.rows &* kernel.rows &* k
    }

    /// Packs all of op(A), every depth block one after the other (the block at depth `pc`
    /// starts at `pc` × the padded rows), laid out as `multiplyBlocked(kernel:packedA:)` reads
    /// it.
    func packA(kernel: GemmKernel, into packed: UnsafeMutablePointer<Float>) {
      let (kc, _, _) = blockSizes(kernel)
      let paddedRows = (m &+ kernel.rows &- 1) / kernel.rows &* kernel.rows
      var pc = 0
      while pc < k {
        let kcNow = min(kc, k &- pc)
        GemmPacking.packA(
          transposed: transposeA, a: a, lda: lda, row0: 0, depth0: pc, rows: m, depth: kcNow,
          tileRows: kernel.rows, into: packed + pc &* paddedRows)
        pc &+= kcNow
      }
    }

    /// The packed, cache-blocked product on the calling thread.
    ///
    /// `packedB`: all of op(B) already packed by `packB` (shared by the parts of a split
    /// product); without it B is packed here block by block (or read in place). `packedA`:
    /// all of op(A) packed by `packA(kernel:into:)` (a thread packs it once for all the column
    /// chunks it computes); without it A is packed here block by block.
    ///
    /// `consumer`: gets each MC × NC block of C once it is final. With one depth block and
    /// beta = 0 the blocks are computed in scratch and C is not written at all (the consumer
    /// takes them while they are in cache); otherwise in C.
    func multiplyBlocked(
      kernel: GemmKernel, packedA prepackedA: UnsafePointer<Float>? = nil,
      packedB prepacked: UnsafePointer<Float>? = nil, consumer: (any GemmBlockConsumer)? = nil
    ) {
      let (kc, mc, nc) = blockSizes(kernel)
      let aCount = prepackedA == nil ? mc &* kc : 0
      let bCount = prepacked == nil ? kc &* nc : 0
      let tileCount = kernel.rows &* kernel.columns
      let viaScratch = consumer != nil && k <= kc && beta == 0
      let cCount = viaScratch ? mc &* nc : 0
      GemmScratch.shared.withFloats(aCount &+ bCount &+ tileCount &+ cCount) { scratch in
        multiplyBlocked(
          kernel: kernel, blocks: (kc, mc, nc), packedA: scratch, packedB: scratch + aCount,
          tile: scratch + (aCount &+ bCount), prepackedA: prepackedA, prepacked: prepacked,
          consumer: consumer,
          cScratch: viaScratch ? scratch + (aCount &+ bCount &+ tileCount) : nil)
      }
    }

    private func multiplyBlocked(
      kernel: GemmKernel, blocks: (kc: Int, mc: Int, nc: Int),
      packedA: UnsafeMutablePointer<Float>, packedB ownB: UnsafeMutablePointer<Float>,
      tile: UnsafeMutablePointer<Float>, prepackedA: UnsafePointer<Float>?,
      prepacked: UnsafePointer<Float>?,
      consumer: (any GemmBlockConsumer)? = nil, cScratch: UnsafeMutablePointer<Float>? = nil
    ) {
      let mr = kernel.rows
      let nr = kernel.columns
      let (kc, mc, nc) = blocks
      let inPlaceB = prepacked == nil && readsBInPlace(kernel, rows: m)
      // A read in place (untransposed, whole tiles of rows the in-place tiles cover); the
      // ragged rest of a block is packed.
      let inPlaceA = readsAInPlace(kernel) && prepackedA == nil && !rowsAlias
      let fullTile = kernel.multiply
      let paddedRows = (m &+ mr &- 1) / mr &* mr
      var slot = prepacked
      var jc = 0
      while jc < n {
        let ncNow = min(nc, n &- jc)
        var pc = 0
        while pc < k {
          let kcNow = min(kc, k &- pc)
          // B: packed by the caller, read in place (full panels only), or packed here.
          let packedFrom = inPlaceB ? ncNow / nr &* nr : 0
          let packedB = slot ?? UnsafePointer(ownB)
          if slot == nil && packedFrom < ncNow {
            GemmPacking.packB(
              transposed: transposeB, b: b, ldb: ldb, depth0: pc, column0: jc &+ packedFrom,
              depth: kcNow, columns: ncNow &- packedFrom, tileColumns: nr,
              into: ownB + packedFrom &* kcNow)
          }
          slot = slot.map { $0 + kc &* nc }
          let betaNow: Float = pc == 0 ? beta : 1
          var ic = 0
          let lastDepth = pc &+ kcNow >= k
          while ic < m {
            let mcNow = min(mc, m &- ic)
            // C's block: in C, or in the scratch (row stride NC) when it goes to the consumer.
            let (cBlock, cStride) =
              cScratch.map { ($0, nc) } ?? (c + (ic &* ldc &+ jc), ldc)
            // A's block: packed beforehand (whole tiles of rows, so at ic · depth), read in
            // place but for a ragged last panel (packed alone), or packed here.
            let aBlock = prepackedA.map { $0 + (pc &* paddedRows &+ ic &* kcNow) }
            let packedRows = inPlaceA ? mcNow &- mcNow / mr &* mr : mcNow
            let firstPacked = mcNow &- packedRows
            if aBlock == nil && packedRows > 0
              && !(inPlaceA && kernel.rowMajorTile(forRows: packedRows) != nil)
            {
              GemmPacking.packA(
                transposed: transposeA, a: a, lda: lda, row0: ic &+ firstPacked, depth0: pc,
                rows: packedRows, depth: kcNow, tileRows: mr,
                into: packedA + firstPacked &* kcNow)
            }
            let aPanels = aBlock ?? UnsafePointer(packedA)
            var jr = 0
            while jr < ncNow {
              let columns = min(nr, ncNow &- jr)
              var ir = 0
              while ir < mcNow {
                let rows = min(mr, mcNow &- ir)
                var aPanel = aPanels + (ir &* kcNow)
                var aStride = mr
                var (tileRows, tileKernel) =
                  rows == mr ? (mr, fullTile) : kernel.tile(forRows: rows)
                if inPlaceA, let inPlace = kernel.rowMajorTile(forRows: rows) {
                  aPanel = a + ((ic &+ ir) &* lda &+ pc)
                  aStride = lda
                  (tileRows, tileKernel) = (rows, inPlace)
                }
                let inPlace = inPlaceB && jr < packedFrom
                let bPanel = inPlace ? b + (pc &* ldb &+ jc &+ jr) : packedB + jr &* kcNow
                let bStride = inPlace ? ldb : nr
                let target = cBlock + (ir &* cStride &+ jr)
                if rows == tileRows && columns == nr {
                  tileKernel(
                    kcNow, aPanel, aStride, bPanel, bStride, target, cStride, alpha, betaNow)
                } else {
                  // Ragged edge: compute a whole tile aside, then blend in the valid part.
                  tileKernel(kcNow, aPanel, aStride, bPanel, bStride, tile, nr, 1, 0)
                  Self.blend(
                    tile, stride: nr, rows: rows, columns: columns, into: target, ldc: cStride,
                    alpha: alpha, beta: betaNow)
                }
                ir &+= mr
              }
              jr &+= nr
            }
            if lastDepth, let consumer {
              consumer.consume(
                row: rowOrigin &+ ic, column: columnOrigin &+ jc, rows: mcNow, columns: ncNow,
                values: cBlock, stride: cStride)
            }
            ic &+= mcNow
          }
          pc &+= kcNow
        }
        jc &+= ncNow
      }
    }

    /// c = alpha·tile + beta·c over `rows` × `columns` (beta = 0 never reads c), eight
    /// columns at a time with the scalar formula's arithmetic: with small depths the blend of
    /// a ragged tile costs as much as computing it.
    static func blend(
      _ tile: UnsafePointer<Float>, stride: Int, rows: Int, columns: Int,
      into c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float
    ) {
      typealias V = SIMD8<Float>
      for r in 0..<rows {
        let source = tile + r &* stride
        let target = c + r &* ldc
        var j = 0
        while j &+ 8 <= columns {
          let old =
            beta == 0 ? V() : beta * UnsafeRawPointer(target + j).loadUnaligned(as: V.self)
          let value = alpha * UnsafeRawPointer(source + j).loadUnaligned(as: V.self) + old
          UnsafeMutableRawPointer(target + j).storeBytes(of: value, as: V.self)
          j &+= 8
        }
        while j < columns {
          let old = beta == 0 ? 0 : beta * target[j]
          target[j] = alpha * source[j] + old
          j &+= 1
        }
      }
    }

    /// Whether the blocked product reads B in place instead of packing it, for `rows` rows of
    /// C: an untransposed B and at most `kernel.inPlaceBRows` rows (each panel of B then serves
    /// few tiles, and the copy would not pay off); beyond two tiles of rows, only while a depth
    /// block of B spans at most `inPlaceBSpan` Floats of memory. Beyond that span (the mlp's
    /// NN 64x784x512: a depth block of 256 rows 3,136 bytes apart covers ~200 pages) packing
    /// was faster: 71-111 GFLOP/s against 65-92 in place, medians ~106 and ~89 of 8 alternated
    /// runs. (im2col's products, a few filters by a whole batch of columns, stay in place.)
    /// Nor when B's rows are a multiple of 256 bytes apart: a panel's 2·KC lines then fall in
    /// at most a sixteenth of the L1 sets, more than their ways hold, so the panel leaves L1
    /// between the tiles that share it (NN 64x512x256 in turns, in place against packed: 74/80,
    /// 88/94, 98/120, 97/117 GFLOP/s; 64x256x512 80/86, 81/85).
    func readsBInPlace(_ kernel: GemmKernel, rows: Int) -> Bool {
      !transposeB && rows <= kernel.inPlaceBRows
        && (rows <= 2 &* kernel.rows
          || (blockSizes(kernel).kc &* ldb <= Gemm.inPlaceBSpan && ldb & 63 != 0))
    }

    /// Whether the blocked product reads op(A) in place instead of packing it: untransposed A
    /// and a kernel with in-place tiles. Measured against packing every block (alternated
    /// rounds, 2-vCPU Xeon): the mlp's and autoencoder's products 0.99-1.05× on one thread and
    /// 0.99-1.11× on two (where each thread packed all of A for its column chunks); whole
    /// training steps 1.00-1.03× on one thread, 1.02-1.06× on two.
    func readsAInPlace(_ kernel: GemmKernel) -> Bool {
      !transposeA && !kernel.rowMajorA.isEmpty
    }

    /// Whether the rows of an untransposed A are a multiple of 4 KiB apart (every row of a
    /// tile in the same L1 set, the 12 rows of an AVX-512 tile all of a 12-way set's lines)
    /// in a product of at least 512 columns (16 AVX-512 column tiles), whose packed A blocks
    /// pay for themselves: then the blocked product packs A. In turns with reading it in place
    /// (gemmBenchmark, 3 runs each): NN 1024³ 122/127, 115/121, 109/121 GFLOP/s, NT 1024³
    /// 116/123, 113/113, 119/121; with 256 columns (NN 2048×256×1024) packing was 0.95-0.98×.
    var rowsAlias: Bool { !transposeA && lda & 1023 == 0 && n >= 512 }

    /// Splits `total` into equal blocks of at most `limit`, each a multiple of `multiple`.
    private func evenBlock(_ total: Int, limit: Int, multiple: Int) -> Int {
      let blocks = (total &+ limit &- 1) / limit
      let size = (total &+ blocks &- 1) / blocks
      return (size &+ multiple &- 1) / multiple &* multiple
    }
  }
}
