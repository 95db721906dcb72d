// FloatBuffer: one fixed-size, zero-initialised block of Floats, allocated once and freed
// with its owner. The executor's values, gradients, workspaces and parameters live in these.

/// A fixed block of `capacity` Floats.
final class FloatBuffer: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Float>
  let capacity: Int

  init(capacity: Int) {
    self.capacity = capacity
    pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(capacity, 1))
    pointer.initialize(repeating: 0, count: max(capacity, 1))
  }

  deinit { pointer.deallocate() }
}
