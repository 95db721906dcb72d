// FloatMemoryTests: blocks come back zeroed and aligned; big ones round up to whole 2 MiB pages.

import Testing

@testable import NetLangTensor

@Test("FloatMemory blocks are zeroed, 64-byte aligned, and big ones start on a 2 MiB page")
func floatMemoryBlocks() {
  for count in [0, 1, 100, 262_143, 262_144, 300_000, 1_048_577] {
    let block = FloatMemory.allocate(count)
    defer { FloatMemory.deallocate(block) }
    let bytes = FloatMemory.reservedBytes(count)
    let address = Int(bitPattern: block)
    #expect(bytes >= max(count, 1) * 4)
    #expect(address % 64 == 0)
    if count * 4 >= 1 << 20 {
      #expect(address % (2 << 20) == 0, "count \(count)")
      #expect(bytes % (2 << 20) == 0, "count \(count)")
    } else {
      #expect(bytes == max(count, 1) * 4, "count \(count)")
    }
    #expect((0..<bytes / 4).allSatisfy { block[$0] == 0 }, "count \(count)")
  }
}
