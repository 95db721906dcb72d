#!/usr/bin/env python3
# Writes the direct-convolution kernels once per instruction set: the same Swift source,
# compiled in the AVX-512 and AVX2 targets (with fused multiply-adds) and in NetLangTensor for
# any CPU (multiply, then add). DirectConvolution picks one at run time like VectorMath does.
# Run from the package root: python3 Tests/Tools/generate_direct_conv.py
# Outputs: Sources/NetLangKernelsAVX512/Generated/DirectConvAVX512.swift,
#          Sources/NetLangKernelsAVX2/Generated/DirectConvAVX2.swift,
#          Sources/NetLangTensor/Kernels/Generated/DirectConvPortable.swift.
import subprocess

FILTERS = 8  # filters (output planes) per call: eight accumulators, one vector each


def accumulate(acc, weight, value, fused):
    """acc + weight·value, fused into one rounding where the target has FMA."""
    return f"{acc}.addingProduct({weight}, {value})" if fused else f"{acc} + {weight} * {value}"


def body(fused):
    zero = "\n".join(f"      var a{f} = V()" for f in range(FILTERS))
    forward_fma = "\n".join(
        f"              a{f} = {accumulate(f'a{f}', f'V(repeating: tap[{f}])', 'x', fused)}"
        for f in range(FILTERS))
    forward_store = "\n".join(
        f"      store(a{f}, out + ({f} &* outputPlaneStride &+ offset))" for f in range(FILTERS))
    load_lanes = "\n".join(
        f"      var a{f} = load(lane + {f} &* 16)" for f in range(FILTERS))
    weights_fma = "\n".join(
        f"          a{f} = {accumulate(f'a{f}', f'load(row + {f} &* gradientPlaneStride)', 'x', fused)}"
        for f in range(FILTERS))
    store_lanes = "\n".join(f"      store(a{f}, lane + {f} &* 16)" for f in range(FILTERS))
    return f'''
  /// Filters per call: `weights` hold {FILTERS} per tap, `output` gets {FILTERS} planes.
  ACCESSstatic let filters = {FILTERS}

  typealias V = SIMD16<Float>

  @inline(__always)
  static func load(_ p: UnsafePointer<Float>) -> V {{
    UnsafeRawPointer(p).loadUnaligned(as: V.self)
  }}

  @inline(__always)
  static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {{
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
  }}

  /// output[f][i][j] = Σ over taps t = (c, ki, kj) of weights[t·{FILTERS} + f] · input[c][i + ki][j + kj]
  /// for f < {FILTERS}, i < rows, j < 16·vectors (a stride-1 cross-correlation of padded planes).
  ///
  /// `input`: `channels` planes `planeStride` apart, rows `rowStride` apart, readable up to
  /// row rows + kernelHeight − 1 and column 16·vectors + kernelWidth − 1. `output`: planes
  /// `outputPlaneStride` apart, rows 16·vectors wide. Every output element sums its taps in
  /// the same order, whatever the caller splits.
  @inline(never)
  ACCESSstatic func correlate(
    input: UnsafePointer<Float>, channels: Int, planeStride: Int, rowStride: Int,
    weights: UnsafePointer<Float>, kernelHeight: Int, kernelWidth: Int, rows: Int,
    vectors: Int, output out: UnsafeMutablePointer<Float>, outputPlaneStride: Int
  ) {{
    let width = vectors &* 16
    for i in 0..<rows {{
      for v in 0..<vectors {{
        let j = v &* 16
{zero}
        var tap = weights
        for c in 0..<channels {{
          for ki in 0..<kernelHeight {{
            let line = input + (c &* planeStride &+ (i &+ ki) &* rowStride &+ j)
            for kj in 0..<kernelWidth {{
              let x = load(line + kj)
{forward_fma}
              tap += {FILTERS}
            }}
          }}
        }}
        let offset = i &* width &+ j
{forward_store.replace("      store", "        store")}
      }}
    }}
  }}

  /// lanes[(t·{FILTERS} + f)·16 + l] += Σ over i < rows, v < vectors of
  /// gradient[f][i][16v + l] · input[c][i + ki][16v + l + kj] for the taps t = (c, ki, kj) in
  /// firstTap ..< lastTap and f < {FILTERS}: the weight gradient of `correlate`, kept as 16 partial
  /// sums per weight (the caller adds the lanes up in a fixed order).
  ///
  /// `gradient`: planes `gradientPlaneStride` apart, rows `gradientRowStride` apart, zero past
  /// the real output width. Each tap's sums run over rows and vectors in order.
  @inline(never)
  ACCESSstatic func correlateWeights(
    input: UnsafePointer<Float>, planeStride: Int, rowStride: Int,
    gradient: UnsafePointer<Float>, gradientPlaneStride: Int, gradientRowStride: Int,
    kernelHeight: Int, kernelWidth: Int, firstTap: Int, lastTap: Int, rows: Int, vectors: Int,
    lanes: UnsafeMutablePointer<Float>
  ) {{
    let area = kernelHeight &* kernelWidth
    for t in firstTap..<lastTap {{
      let c = t / area
      let ki = (t &- c &* area) / kernelWidth
      let kj = t &- c &* area &- ki &* kernelWidth
      let lane = lanes + t &* ({FILTERS} &* 16)
{load_lanes}
      for i in 0..<rows {{
        let line = input + (c &* planeStride &+ (i &+ ki) &* rowStride &+ kj)
        let gradientRow = gradient + i &* gradientRowStride
        for v in 0..<vectors {{
          let x = load(line + v &* 16)
          let row = gradientRow + v &* 16
{weights_fma}
        }}
      }}
{store_lanes}
    }}
  }}
}}
'''


def write(path, name, access, summary, built, fused):
    header = [
        f"// {path.split('/')[-1]}: generated by Tests/Tools/generate_direct_conv.py; do not edit.",
        f"// {summary}",
        f"// {built}",
        "",
        f"/// {summary}",
        f"{access}enum {name} {{",
    ]
    open(path, "w").write("\n".join(header) + body(fused).replace("ACCESS", access))


OUTPUTS = [
    ("Sources/NetLangKernelsAVX512/Generated/DirectConvAVX512.swift", "DirectConvAVX512", "public ",
     "Direct stride-1 convolution kernels for CPUs with AVX-512F.",
     "Built with -mavx512f -mfma; NetLangTensor's DirectConvolution calls it after a CPU check.",
     True),
    ("Sources/NetLangKernelsAVX2/Generated/DirectConvAVX2.swift", "DirectConvAVX2", "public ",
     "Direct stride-1 convolution kernels for CPUs with AVX2 and FMA.",
     "Built with -mavx2 -mfma; NetLangTensor's DirectConvolution calls it after a CPU check.",
     True),
    ("Sources/NetLangTensor/Kernels/Generated/DirectConvPortable.swift", "DirectConvPortable", "",
     "Direct stride-1 convolution kernels for any CPU.",
     "Runs everywhere (multiply, then add); DirectConvolution uses it when no AVX path applies.",
     False),
]
for output in OUTPUTS:
    write(*output)
# Keep the output in the repository style.
subprocess.run(["swift", "format", "-i"] + [o[0] for o in OUTPUTS], check=True)
