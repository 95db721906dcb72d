#!/usr/bin/env python3
# Writes the vector-math files: one concrete copy of the same lane code per vector width, since
# Swift resolves SIMD operators in generic code to per-lane loops (no fused or wide
# instructions). Run from the package root: python3 Tests/Tools/generate_vector_math.py
# Outputs: Sources/NetLangKernelsAVX512/Generated/VectorMathAVX512.swift (SIMD16, FMA),
#          Sources/NetLangKernelsAVX2/Generated/VectorMathAVX2.swift (SIMD8, FMA),
#          Sources/NetLangTensor/Kernels/Generated/VectorMathPortable.swift (SIMD4, no FMA).
import os
import subprocess

BODY = '''
  /// e^x: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a polynomial, 2^n built in the exponent bits.
  ///
  /// 2^n is applied as two factors, so n = 128 and n = -126 stay exact. Above 88.72284 the
  /// result is +inf, below -87.33654 it is 0; NaN stays NaN.
  @_transparent
  static func exp(_ x: V) -> V {
    let upper: Float = 88.722_84
    let lower: Float = -87.336_54
    var v = x.replacing(with: upper, where: x .> upper)
    v.replace(with: lower, where: v .< lower)
    // n = round(x / ln2) via the 1.5·2^23 trick: n sits in the low mantissa bits of `shifted`.
    let magic = V(repeating: 12_582_912)
    let shifted = madd(v, V(repeating: 1.442_695_04), magic)
    let n = shifted - magic
    var r = madd(n, V(repeating: -0.693_359_375), v)
    r = madd(n, V(repeating: 2.121_944_4e-4), r)
    var p = V(repeating: 1.987_569_15e-4)
    p = madd(p, r, V(repeating: 1.398_199_950_7e-3))
    p = madd(p, r, V(repeating: 8.333_451_907_3e-3))
    p = madd(p, r, V(repeating: 4.166_579_589_4e-2))
    p = madd(p, r, V(repeating: 1.666_666_545_9e-1))
    p = madd(p, r, V(repeating: 5.000_000_120_1e-1))
    p = madd(p, r * r, r + 1)
    let nBits = unsafeBitCast(shifted, to: Bits.self) &- 0x4B40_0000
    let half = nBits &>> 1
    let first = unsafeBitCast((half &+ 127) &<< 23, to: V.self)
    let second = unsafeBitCast((nBits &- half &+ 127) &<< 23, to: V.self)
    var result = p * first * second
    result.replace(with: .infinity, where: x .> upper)
    result.replace(with: 0, where: x .< lower)
    return result
  }

  /// ln x: x = m·2^e with m in [√½, √2), ln m by a degree-9 polynomial in m - 1.
  ///
  /// Subnormals are scaled first; ln 0 = -inf, ln(x < 0) = NaN, ln inf = inf, NaN stays NaN.
  @_transparent
  static func log(_ x: V) -> V {
    let tiny = x .< Float.leastNormalMagnitude
    let scaled = x.replacing(with: x * 8_388_608, where: tiny)
    let bits = unsafeBitCast(scaled, to: Bits.self)
    var exponent = (bits &>> 23) &- 126
    exponent.replace(with: exponent &- 23, where: tiny)
    // Mantissa in [0.5, 1), then in [√½, √2) - 1.
    var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F00_0000, to: V.self)
    let low = m .< 0.707_106_781_186_547_524
    exponent.replace(with: exponent &- 1, where: low)
    m = m.replacing(with: m + m, where: low) - 1
    // Float(exponent) without per-lane conversion: the integer goes into 1.5·2^23's mantissa.
    let e = unsafeBitCast(exponent &+ 0x4B40_0000, to: V.self) - 12_582_912
    let z = m * m
    var p = V(repeating: 7.037_683_629_2e-2)
    p = madd(p, m, V(repeating: -1.151_461_031_0e-1))
    p = madd(p, m, V(repeating: 1.167_699_874_0e-1))
    p = madd(p, m, V(repeating: -1.242_014_084_6e-1))
    p = madd(p, m, V(repeating: 1.424_932_278_7e-1))
    p = madd(p, m, V(repeating: -1.666_805_766_5e-1))
    p = madd(p, m, V(repeating: 2.000_071_476_5e-1))
    p = madd(p, m, V(repeating: -2.499_999_399_3e-1))
    p = madd(p, m, V(repeating: 3.333_333_117_4e-1))
    var y = p * m * z
    y = madd(e, V(repeating: -2.121_944_40e-4), y)
    y = madd(z, V(repeating: -0.5), y)
    var result = madd(e, V(repeating: 0.693_359_375), m + y)
    result.replace(with: -.infinity, where: x .== 0)
    result.replace(with: .nan, where: x .< 0)
    result.replace(with: .infinity, where: x .== .infinity)
    result.replace(with: x, where: x .!= x)
    return result
  }

  /// tanh x: an odd polynomial below |x| = 0.625, 1 - 2/(e^2|x| + 1) above (±1 beyond ~9).
  @_transparent
  static func tanh(_ x: V) -> V {
    let magnitude = x.replacing(with: -x, where: x .< 0)
    let z = x * x
    var p = V(repeating: -5.704_988_727_45e-3)
    p = madd(p, z, V(repeating: 2.063_908_879_54e-2))
    p = madd(p, z, V(repeating: -5.373_971_555_31e-2))
    p = madd(p, z, V(repeating: 1.333_144_220_36e-1))
    p = madd(p, z, V(repeating: -3.333_328_194_22e-1))
    let small = madd(p * z, x, x)
    let e = exp(magnitude + magnitude)
    var large = 1 - 2 / (e + 1)
    large.replace(with: -large, where: x .< 0)
    var result = small.replacing(with: large, where: magnitude .>= 0.625)
    result.replace(with: x, where: x .!= x)
    return result
  }

  /// 1 / (1 + e^-x).
  @_transparent
  static func sigmoid(_ x: V) -> V {
    1 / (1 + exp(-x))
  }
}
'''

def write(path, name, lanes, fused, access, summary, header2):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    madd = "c.addingProduct(a, b)" if fused else "a * b + c"
    out = [
        f"// {name}: exp, log, tanh and sigmoid on SIMD{lanes}<Float>{' with fused multiply-adds' if fused else ', multiply then add'}.",
        f"// {header2}",
        "// Generated by Tests/Tools/generate_vector_math.py; edit the script, not this file.",
        "//",
        "// count = elements; V = the vector type; Bits = its lanes as Int32 (same size).",
        "",
        f"/// {summary}",
        f"{access}enum {name} {{",
        f"  typealias V = SIMD{lanes}<Float>",
        f"  typealias Bits = SIMD{lanes}<Int32>",
        "",
        f"  /// a · b + c{' in one rounding' if fused else ' (no FMA: addingProduct would call libm per lane)'}.",
        "  @inline(__always)",
        f"  static func madd(_ a: V, _ b: V, _ c: V) -> V {{ {madd} }}",
        "",
    ]
    for fn, doc in [("exp", "e^input[i]"), ("log", "ln input[i]"), ("tanh", "tanh input[i]"),
                    ("sigmoid", "1 / (1 + e^-input[i])")]:
        out += [
            f"  /// output[i] = {doc}; in place allowed.",
            "  @inline(never)",
            f"  {access}static func {fn}(",
            "    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int",
            "  ) {",
            # The loop is written out in every function rather than shared through a
            # closure: LLVM merges identical loops that differ only in the closure they call
            # into one that calls it through a pointer, per vector.
            "    var index = 0",
            "    while index &+ V.scalarCount <= count {",
            "      let value = UnsafeRawPointer(input + index).loadUnaligned(as: V.self)",
            f"      UnsafeMutableRawPointer(output + index).storeBytes(of: {fn}(value), as: V.self)",
            "      index &+= V.scalarCount",
            "    }",
            "    // The tail goes through a zero-padded vector.",
            "    let rest = count &- index",
            "    if rest > 0 {",
            "      var value = V()",
            "      for lane in 0..<rest { value[lane] = input[index &+ lane] }",
            f"      let result = {fn}(value)",
            "      for lane in 0..<rest { output[index &+ lane] = result[lane] }",
            "    }",
            "  }",
            "",
        ]
    open(path, "w").write("\n".join(out) + BODY.lstrip("\n"))

write("Sources/NetLangKernelsAVX512/Generated/VectorMathAVX512.swift", "VectorMathAVX512", 16, True,
      "public ", "Vector math for CPUs with AVX-512F, on 16 lanes with FMA.",
      "Built with -mavx512f -mfma; NetLangTensor's VectorMath calls it after a CPU check.")
write("Sources/NetLangKernelsAVX2/Generated/VectorMathAVX2.swift", "VectorMathAVX2", 8, True,
      "public ", "Vector math for CPUs with AVX2 and FMA, on 8 lanes.",
      "Built with -mavx2 -mfma; NetLangTensor's VectorMath calls it after a CPU check.")
write("Sources/NetLangTensor/Kernels/Generated/VectorMathPortable.swift", "VectorMathPortable", 4, False,
      "", "Vector math for any CPU: four lanes are one SSE or NEON register.",
      "Runs everywhere; VectorMath uses it when no AVX path applies.")

OUTPUTS = [
    "Sources/NetLangKernelsAVX512/Generated/VectorMathAVX512.swift",
    "Sources/NetLangKernelsAVX2/Generated/VectorMathAVX2.swift",
    "Sources/NetLangTensor/Kernels/Generated/VectorMathPortable.swift",
]
# Keep the output in the repository style.
subprocess.run(["swift", "format", "-i"] + OUTPUTS, check=True)
