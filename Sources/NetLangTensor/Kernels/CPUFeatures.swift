// CPUFeatures: which SIMD instruction sets this CPU (and kernel) offer, read once from
// /proc/cpuinfo. Gemm picks its micro-kernel from it; unknown means the portable path.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The instruction-set extensions the fast kernels care about.
package struct CPUFeatures: Sendable, Equatable {
  /// AVX2 and FMA3 (Haswell and later).
  package var avx2FMA: Bool
  /// AVX-512 Foundation + VL on top of AVX2/FMA (Skylake-X and later).
  package var avx512: Bool

  /// The features of the machine we run on, detected once.
  ///
  /// The environment variable `NETLANG_SIMD=portable|avx2` caps them (for testing slower paths).
  package static let current: CPUFeatures = {
    var found = detect()
    if let cap = getenv("NETLANG_SIMD").map({ String(cString: $0) }) {
      if cap == "portable" { found = CPUFeatures(avx2FMA: false, avx512: false) }
      if cap == "avx2" { found.avx512 = false }
    }
    return found
  }()

  /// Reads the `flags` line of /proc/cpuinfo (Linux lists only features the OS enabled).
  private static func detect() -> CPUFeatures {
    #if arch(x86_64) && os(Linux)
      guard let file = fopen("/proc/cpuinfo", "r") else {
        return CPUFeatures(avx2FMA: false, avx512: false)
      }
      defer { fclose(file) }
      var line: UnsafeMutablePointer<CChar>? = nil
      var capacity = 0
      defer { free(line) }
      while getline(&line, &capacity, file) > 0 {
        guard let text = line.map({ String(cString: $0) }), text.hasPrefix("flags") else {
          continue
        }
        let flags = Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }))
        let avx2 = flags.contains("avx2") && flags.contains("fma")
        let avx512 = avx2 && flags.contains("avx512f") && flags.contains("avx512vl")
        return CPUFeatures(avx2FMA: avx2, avx512: avx512)
      }
      return CPUFeatures(avx2FMA: false, avx512: false)
    #else
      return CPUFeatures(avx2FMA: false, avx512: false)
    #endif
  }
}
