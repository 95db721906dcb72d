// FloatBuffer: one fixed-size, zero-initialised block of Floats, allocated once and freed
// with its owner. The executor's values, gradients, workspaces and parameters live in these.

import NetLangTensor

/// A fixed block of `capacity` Floats.
final class FloatBuffer: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Float>
  let capacity: Int

  init(capacity: Int) {
    self.capacity = capacity
    pointer = FloatMemory.allocate(capacity)
  }

  deinit { FloatMemory.deallocate(pointer) }
}
