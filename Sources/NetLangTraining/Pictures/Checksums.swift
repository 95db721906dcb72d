// Checksums: CRC-32 (PNG chunks, ISO-HDLC polynomial) and Adler-32 (zlib streams), written
// here so the picture code needs no compression library.

/// CRC-32 as PNG and zlib's `crc32` define it: reflected polynomial 0xEDB88320, initial value and
/// final xor 0xFFFFFFFF.
///
/// `CRC32.checksum(Array("123456789".utf8)) == 0xCBF43926`.
public struct CRC32: Sendable {
  /// One table entry per byte value.
  static let table: [UInt32] = (0..<256).map { byte in
    var c = UInt32(byte)
    for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  private var register: UInt32 = 0xFFFF_FFFF

  public init() {}

  /// Feeds more bytes.
  public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
    var c = register
    CRC32.table.withUnsafeBufferPointer { table in
      for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
    }
    register = c
  }

  /// The checksum of everything fed so far.
  public var value: UInt32 { register ^ 0xFFFF_FFFF }

  /// The checksum of `bytes`.
  public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
    var crc = CRC32()
    crc.update(bytes)
    return crc.value
  }
}

/// Adler-32 as zlib (RFC 1950) defines it: two sums modulo 65521, `b << 16 | a`.
///
/// `Adler32.checksum(Array("123456789".utf8)) == 0x091E01DE`.
public struct Adler32: Sendable {
  private static let modulus: UInt32 = 65521
  private var a: UInt32 = 1
  private var b: UInt32 = 0

  public init() {}

  /// Feeds more bytes.
  public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
    // 5552 bytes is the longest run for which b cannot overflow 32 bits before the reduction.
    var pending = 0
    for byte in bytes {
      a &+= UInt32(byte)
      b &+= a
      pending += 1
      if pending == 5552 {
        a %= Adler32.modulus
        b %= Adler32.modulus
        pending = 0
      }
    }
    a %= Adler32.modulus
    b %= Adler32.modulus
  }

  /// The checksum of everything fed so far.
  public var value: UInt32 { (b << 16) | a }

  /// The checksum of `bytes`.
  public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
    var adler = Adler32()
    adler.update(bytes)
    return adler.value
  }
}
