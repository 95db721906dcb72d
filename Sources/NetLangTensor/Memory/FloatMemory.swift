// FloatMemory: the zeroed Float blocks a plan allocates once (values, workspaces, parameters,
// optimizer state, GEMM scratch). Blocks of a MiB or more are 2 MiB aligned and advised onto
// 2 MiB pages where the kernel offers them (Linux's MADV_HUGEPAGE; this machine's transparent
// huge pages are "madvise" only): packing a weight matrix across its rows or streaming an
// optimizer step over tens of MiB otherwise needs a page-table walk every 4 KiB.

#if canImport(Glibc)
  import Glibc
#endif

/// Allocation of large zero-initialised Float buffers.
public enum FloatMemory {
  /// Size of a huge page, and the block size from which blocks are put on them.
  static let hugePageBytes = 2 << 20
  static let hugePageThreshold = 1 << 20

  /// Bytes actually reserved for `count` Floats (blocks on huge pages round up to whole pages).
  package static func reservedBytes(_ count: Int) -> Int {
    let bytes = max(count, 1) &* MemoryLayout<Float>.stride
    guard bytes >= hugePageThreshold else { return bytes }
    return (bytes &+ hugePageBytes &- 1) / hugePageBytes &* hugePageBytes
  }

  /// `count` Floats set to zero, at least 64-byte aligned. Free with `deallocate(_:)`.
  public static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
    let bytes = reservedBytes(count)
    let huge = bytes >= hugePageThreshold
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: bytes, alignment: huge ? hugePageBytes : 64)
    #if os(Linux)
      // Advice only: if the kernel declines, the block stays on 4 KiB pages.
      if huge { _ = madvise(raw, bytes, MADV_HUGEPAGE) }
    #endif
    return raw.initializeMemory(
      as: Float.self, repeating: 0, count: bytes / MemoryLayout<Float>.stride)
  }

  /// Frees a block from `allocate(_:)`.
  public static func deallocate(_ block: UnsafeMutablePointer<Float>) {
    block.deallocate()
  }
}
