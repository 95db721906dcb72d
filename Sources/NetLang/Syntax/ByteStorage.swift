// ByteStorage: the lexer's view of a file's bytes: a stable buffer to read them through, and
// the byte tests and text extraction the scanner uses on every byte of every token.

// NOTE: `@_transparent` makes even debug builds inline these byte tests; as ordinary calls
// they cost more than the rest of the per-byte work.

@_transparent
func isDigit(_ byte: UInt8) -> Bool {
  byte &- 0x30 < 10  // 0-9
}

@_transparent
func isIdentifierStart(_ byte: UInt8) -> Bool {
  (byte | 0x20) &- 0x61 < 26 || byte == 0x5F  // a-z or A-Z, _
}

@_transparent
func isIdentifierPart(_ byte: UInt8) -> Bool {
  (byte | 0x20) &- 0x61 < 26 || byte &- 0x30 < 10 || byte == 0x5F
}

/// The text of a token from its bytes; one-byte tokens (`x`, `1`) skip the generic decoder,
/// which is slow in debug builds.
func tokenText(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
  if end == start + 1 { return String(Unicode.Scalar(bytes[start])) }
  return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
}

/// A copy of a file's bytes at a stable address, freed with the last scanner that uses it.
final class ByteStorage {
  private let allocation: UnsafeMutableBufferPointer<UInt8>
  let bytes: UnsafeBufferPointer<UInt8>

  init(_ source: [UInt8]) {
    allocation = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, source.count))
    _ = allocation.initialize(from: source)
    bytes = UnsafeBufferPointer(rebasing: allocation[0..<source.count])
  }

  deinit { allocation.deallocate() }
}
