// MathShim: the few libm functions NetLangTensor needs, in one place (Glibc on Linux).
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Thin wrappers so files in this target need not import the C library themselves.
public enum MathShim {
  @inlinable public static func log(_ x: Double) -> Double { Glibc.log(x) }
  @inlinable public static func cos(_ x: Double) -> Double { Glibc.cos(x) }
  @inlinable public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
  @inlinable public static func expf(_ x: Float) -> Float { Glibc.expf(x) }
  @inlinable public static func logf(_ x: Float) -> Float { Glibc.logf(x) }
  @inlinable public static func tanhf(_ x: Float) -> Float { Glibc.tanhf(x) }
}
