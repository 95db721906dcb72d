// ReductionTests: row/column sums by hand and against a naive loop; axpy and scale by hand.

import NetLangTensor
import Testing

@Test("sums over rows and columns, by hand and accumulating")
func reductionSumsByHand() {
  // [[1, 2, 3], [4, 5, 6]]
  let x: [Float] = [1, 2, 3, 4, 5, 6]
  var columnTotals = [Float](repeating: 9, count: 3)
  Reduction.sumOverRows(x, rows: 2, columns: 3, into: &columnTotals)
  #expect(columnTotals == [5, 7, 9])
  Reduction.sumOverRows(x, rows: 2, columns: 3, into: &columnTotals, accumulate: true)
  #expect(columnTotals == [10, 14, 18])
  var rowTotals = [Float](repeating: 9, count: 2)
  Reduction.sumOverColumns(x, rows: 2, columns: 3, into: &rowTotals)
  #expect(rowTotals == [6, 15])
  Reduction.sumOverColumns(x, rows: 2, columns: 3, into: &rowTotals, accumulate: true)
  #expect(rowTotals == [12, 30])
}

@Test("row sums of ragged widths match a Double loop")
func reductionMatchesNaive() {
  for columns in [1, 3, 4, 5, 17] {
    let x = randomFloats(6 * columns, seed: UInt64(columns))
    var totals = [Float](repeating: 0, count: 6)
    Reduction.sumOverColumns(x, rows: 6, columns: columns, into: &totals)
    for r in 0..<6 {
      let expected = x[r * columns..<(r + 1) * columns].reduce(0.0) { $0 + Double($1) }
      #expect(abs(Double(totals[r]) - expected) < 1e-5)
    }
  }
}

@Test("axpy, scale, add, multiply by hand")
func vectorArithmeticByHand() {
  var y: [Float] = [1, 2, 3]
  VectorArithmetic.axpy(alpha: 2, [1, 1, -1], &y, count: 3)
  #expect(y == [3, 4, 1])
  VectorArithmetic.scale(&y, by: -0.5, count: 3)
  #expect(y == [-1.5, -2, -0.5])
  var nan: [Float] = [.nan, 1]
  VectorArithmetic.scale(&nan, by: 0, count: 2)
  #expect(nan == [0, 0])
  var out = [Float](repeating: 0, count: 3)
  VectorArithmetic.add([1, 2, 3], [10, 20, 30], &out, count: 3)
  #expect(out == [11, 22, 33])
  VectorArithmetic.multiply([1, 2, 3], [10, 20, 30], &out, count: 3)
  #expect(out == [10, 40, 90])
}

@Test("allFinite finds one NaN or infinity anywhere, in the vector part and in the tail")
func reductionAllFinite() {
  // 77 values: two 32-value blocks, one 8-lane step and a tail of 5.
  var x = randomFloats(77, seed: 9).map { $0 * 1e30 }
  #expect(Reduction.allFinite(x, count: x.count))
  #expect(Reduction.allFinite(x, count: 0))
  for position in [0, 7, 8, 31, 32, 63, 64, 71, 72, 76] {
    for bad in [Float.nan, .infinity, -.infinity] {
      let saved = x[position]
      x[position] = bad
      #expect(!Reduction.allFinite(x, count: x.count), "\(bad) at \(position)")
      x[position] = saved
    }
  }
}

@Test("Parallel.forRanges covers every element once, in 16-aligned ranges")
func parallelRangesCoverEverything() {
  let pool = WorkerPool(threads: 2)
  for total in [0, 1, 15, 16, 17, 100, 70_001] {
    var hits = [Int](repeating: 0, count: total)
    hits.withUnsafeMutableBufferPointer { counts in
      Parallel.forRanges(total, elementsEach: 4096, pool: pool) { start, count in
        #expect(start % 16 == 0)
        for i in start..<(start + count) { counts[i] += 1 }
      }
    }
    #expect(hits.allSatisfy { $0 == 1 }, "total \(total)")
  }
}

@Test("Parallel ranges of whole items (multiple 1) share a few items evenly")
func parallelRangesOfItems() {
  // Six filters across two parts: three each (in blocks of 16 the first part got none).
  #expect(Parallel.range(part: 0, of: 2, total: 6, multiple: 1) == 0..<3)
  #expect(Parallel.range(part: 1, of: 2, total: 6, multiple: 1) == 3..<6)
  #expect(Parallel.range(part: 0, of: 2, total: 6) == 0..<0)
  let pool = WorkerPool(threads: 2)
  var hits = [Int](repeating: 0, count: 7)
  hits.withUnsafeMutableBufferPointer { counts in
    Parallel.forRanges(7, elementsEach: 1 << 16, multiple: 1, pool: pool) { start, count in
      #expect(count == 3 || count == 4, "a part of 7 items across 2 threads")
      for i in start..<(start + count) { counts[i] += 1 }
    }
  }
  #expect(hits.allSatisfy { $0 == 1 })
}
