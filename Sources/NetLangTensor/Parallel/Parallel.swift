// Parallel: splits elementwise work over contiguous ranges across a WorkerPool's threads, and
// runs it on the caller's thread when it is too small to pay for a handoff.
//
// Each element is computed by the same code whichever part it falls in, so results do not
// depend on the number of threads.

/// Range splitting for elementwise kernels.
public enum Parallel {
  /// Elements per part below which splitting costs more than it saves (a handoff is a few µs;
  /// 32k elements of a pointwise kernel take 10-30 µs).
  public static let minimumElementsPerPart = 32_768

  /// Calls `body(start, count)` over `0 ..< total` items in at most one range per thread, each
  /// a multiple of `multiple` items long except the last; one call on the caller's thread when
  /// the work is small or there is no pool.
  ///
  /// `elementsEach`: the elements one item stands for (a row's columns, a plane's pixels),
  /// which decide whether the split pays. `multiple`: 16 keeps the ranges of a flat vector on
  /// whole cache lines; items that are rows, planes or filters split evenly with 1 (in blocks
  /// of 16, a layer's 6 filters would all go to one thread).
  @inlinable
  public static func forRanges(
    _ total: Int, elementsEach: Int = 1, multiple: Int = 16, pool: WorkerPool?,
    _ body: (_ start: Int, _ count: Int) -> Void
  ) {
    let parts = min(pool?.threads ?? 1, total &* max(elementsEach, 1) / minimumElementsPerPart)
    guard let pool, parts > 1 else {
      if total > 0 { body(0, total) }
      return
    }
    pool.run(parts: parts) { part in
      let range = Self.range(part: part, of: parts, total: total, multiple: multiple)
      if !range.isEmpty { body(range.lowerBound, range.count) }
    }
  }

  /// Part `part` of `parts` of `0 ..< total`: the same share of the items in whole blocks of
  /// `multiple` (the last part takes the rest), as `forRanges` splits them.
  @inlinable
  public static func range(
    part: Int, of parts: Int, total: Int, multiple: Int = 16
  ) -> Range<Int> {
    let size = max(multiple, 1)
    let blocks = (total &+ size &- 1) / size
    return min(
      total, blocks &* part / parts &* size)..<min(
        total, blocks &* (part &+ 1) / parts &* size)
  }
}
