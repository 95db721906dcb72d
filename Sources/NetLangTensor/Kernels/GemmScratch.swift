// GemmScratch: the packing buffers Gemm works in, kept between calls so a training step does
// not go to the heap for every product. A buffer is taken for one call (or one part of a
// split call) and returned; one grows only when a bigger product asks for it.

import Synchronization

/// A stack of 64-byte aligned buffers shared by every Gemm call.
final class GemmScratch: Sendable {
  /// One buffer and its size in Floats.
  struct Buffer: @unchecked Sendable {
    var pointer: UnsafeMutablePointer<Float>
    var count: Int
  }

  static let shared = GemmScratch()

  private let free = Mutex<[Buffer]>([])

  /// Calls `body` with at least `count` Floats of scratch, 64-byte aligned, used by no one else
  /// until `body` returns.
  func withFloats<Result>(
    _ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Result
  ) -> Result {
    var buffer = free.withLock { $0.popLast() }
    if let held = buffer, held.count < count {
      FloatMemory.deallocate(held.pointer)
      buffer = nil
    }
    let taken = buffer ?? Buffer(pointer: FloatMemory.allocate(count), count: max(count, 1))
    defer { free.withLock { $0.append(taken) } }
    return body(taken.pointer)
  }
}
