// Subnormals: whether a thread's float arithmetic flushes subnormal numbers (magnitudes below
// 1.18e-38) to zero. netlang's commands train with them flushed, as TensorFlow and XLA do on
// CPUs: a momentum velocity decaying toward zero (a dead ReLU's weights) otherwise spends
// hundreds of steps as subnormals, and every operation on one takes microcode assists that
// made whole optimizer steps 5× slower (grammar.md, "Numerics").

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The calling thread's subnormal mode (x86-64: MXCSR's FTZ and DAZ bits; AArch64: FPCR.FZ).
public enum Subnormals {
  #if arch(x86_64)
    /// MXCSR flush-to-zero (bit 15) and denormals-are-zero (bit 6).
    static let flushBits: UInt32 = 0x8040
  #elseif arch(arm64)
    /// FPCR flush-to-zero (bit 24), which covers inputs and results.
    static let flushBits: UInt64 = 1 << 24
  #endif

  /// Whether the calling thread flushes subnormal inputs and results to zero.
  public static var areFlushed: Bool {
    #if os(Linux) && arch(x86_64)
      var environment = fenv_t()
      fegetenv(&environment)
      return environment.__mxcsr & flushBits == flushBits
    #elseif os(Linux) && arch(arm64)
      var environment = fenv_t()
      fegetenv(&environment)
      return UInt64(environment.__fpcr) & flushBits == flushBits
    #else
      return false
    #endif
  }

  /// Makes the calling thread flush subnormals to zero (or stop), returning the previous mode.
  /// Other platforms keep IEEE subnormals and report false.
  @discardableResult
  public static func setFlushed(_ flushed: Bool) -> Bool {
    #if os(Linux) && arch(x86_64)
      var environment = fenv_t()
      fegetenv(&environment)
      let previous = environment.__mxcsr & flushBits == flushBits
      if flushed {
        environment.__mxcsr |= flushBits
      } else {
        environment.__mxcsr &= ~flushBits
      }
      fesetenv(&environment)
      return previous
    #elseif os(Linux) && arch(arm64)
      var environment = fenv_t()
      fegetenv(&environment)
      let previous = UInt64(environment.__fpcr) & flushBits == flushBits
      let control = UInt64(environment.__fpcr)
      environment.__fpcr = .init(
        truncatingIfNeeded: flushed ? control | flushBits : control & ~flushBits)
      fesetenv(&environment)
      return previous
    #else
      return false
    #endif
  }
}
