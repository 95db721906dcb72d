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


def fan_out(name, operand, count, fused):
    """For each filter f, `let {name}f = operand(f)` once, then a{f}_k += {name}f · x{k} for
    k < count: one loaded (or broadcast) vector feeding `count` accumulators."""
    return "\n".join(
        f"let {name}{f} = {operand(f)}\n"
        + "\n".join(f"a{f}_{k} = {accumulate(f'a{f}_{k}', f'{name}{f}', f'x{k}', fused)}" for k in range(count))
        for f in range(FILTERS))


def correlate_rows(fused, rows):
    """`correlate`'s loop body for `rows` output rows at once (i ..< i + rows): each weight is
    broadcast once for `rows` input vectors; every output element sums the same taps in the
    same order whatever the block."""
    acc = [(f, r) for r in range(rows) for f in range(FILTERS)]
    zero = "\n".join(f"var a{f}_{r} = V()" for f, r in acc)
    xs = "\n".join(
        f"let x{r} = load(line + " + (f"({r} &* rowStride &+ kj))" if r else "kj)") for r in range(rows))
    fma = fan_out("w", lambda f: f"V(repeating: tap[{f}])", rows, fused)
    store = "\n".join(
        f"store(a{f}_{r}, out + ({f} &* outputPlaneStride &+ offset" + (f" &+ {r} &* width))" if r else "))")
        for f, r in acc)
    return f"""
    while i &+ {rows} <= rows {{
      for v in 0..<vectors {{
        let j = v &* 16
{zero}
        for c in 0..<channels {{
          var tap = weights + (c &* kernelHeight &+ firstKernelRow) &* (kernelWidth &* {FILTERS})
          for ki in firstKernelRow..<lastKernelRow {{
            let line = input + (c &* planeStride &+ (i &+ ki) &* rowStride &+ j)
            for kj in 0..<kernelWidth {{
{xs}
{fma}
              tap += {FILTERS}
            }}
          }}
        }}
        let offset = i &* width &+ j
{store}
      }}
      i &+= {rows}
    }}"""


def weight_taps(fused, taps):
    """`correlateWeights`' loop body for `taps` neighbouring taps t ..< t + taps of one
    (c, ki): each gradient vector is loaded once for `taps` shifted input vectors; every lane
    sums the same products in the same order whatever the block."""
    acc = [(f, k) for k in range(taps) for f in range(FILTERS)]
    def lane(f, k):
        return f"lane + ({k} &* {FILTERS} &+ {f}) &* 16" if k else f"lane + {f} &* 16"
    load_lanes = "\n".join(f"var a{f}_{k} = load({lane(f, k)})" for f, k in acc)
    xs = "\n".join(
        f"let x{k} = load(line + " + (f"(v &* 16 &+ {k}))" if k else "v &* 16)") for k in range(taps))
    fma = fan_out("g", lambda f: f"load(row + {f} &* gradientPlaneStride)", taps, fused)
    store_lanes = "\n".join(f"store(a{f}_{k}, {lane(f, k)})" for f, k in acc)
    return f"""
{load_lanes}
      for i in 0..<rows {{
        let line = input + (c &* planeStride &+ (i &+ ki) &* rowStride &+ kj)
        let row0 = gradient + i &* gradientRowStride
        for v in 0..<vectors {{
          let row = row0 + v &* 16
{xs}
{fma}
        }}
      }}
{store_lanes}
      t &+= {taps}"""


def body(fused, block):
    # With 32 vector registers (block > 1) each loaded vector feeds `block` accumulators:
    # `correlate` runs `block` output rows at once, `correlateWeights` `block` neighbouring
    # taps; the single-row / single-tap loops take what is left.
    row_blocks = correlate_rows(fused, block) if block > 1 else ""
    tap_blocks = (
        f"""
      if kj &+ {block} <= kernelWidth && t &+ {block} <= lastTap {{""" + weight_taps(fused, block)
        + """
        continue
      }""") if block > 1 else ""
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
  /// for f < {FILTERS}, i < rows, j < 16·vectors (a stride-1 cross-correlation of padded planes),
  /// over the kernel rows firstKernelRow ≤ ki < lastKernelRow only (the caller leaves out rows
  /// that would read nothing but padding).
  ///
  /// `input`: `channels` planes `planeStride` apart, rows `rowStride` apart, readable up to
  /// row rows + kernelHeight − 1 and column 16·vectors + kernelWidth − 1. `output`: planes
  /// `outputPlaneStride` apart, rows 16·vectors wide. Every output element sums its taps in
  /// the same order, whatever the caller splits.
  @inline(never)
  ACCESSstatic func correlate(
    input: UnsafePointer<Float>, channels: Int, planeStride: Int, rowStride: Int,
    weights: UnsafePointer<Float>, kernelHeight: Int, kernelWidth: Int, firstKernelRow: Int,
    lastKernelRow: Int, rows: Int, vectors: Int, output out: UnsafeMutablePointer<Float>,
    outputPlaneStride: Int
  ) {{
    let width = vectors &* 16
    var i = 0{row_blocks}{correlate_rows(fused, 1)}
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
    var t = firstTap
    while t < lastTap {{
      let c = t / area
      let ki = (t &- c &* area) / kernelWidth
      let kj = t &- c &* area &- ki &* kernelWidth
      let lane = lanes + t &* ({FILTERS} &* 16){tap_blocks}{weight_taps(fused, 1)}
    }}
  }}
}}
'''


def write(path, name, access, summary, built, fused, block):
    header = [
        f"// {path.split('/')[-1]}: generated by Tests/Tools/generate_direct_conv.py; do not edit.",
        f"// {summary}",
        f"// {built}",
        "",
        f"/// {summary}",
        f"{access}enum {name} {{",
    ]
    open(path, "w").write("\n".join(header) + body(fused, block).replace("ACCESS", access))


OUTPUTS = [
    ("Sources/NetLangKernelsAVX512/Generated/DirectConvAVX512.swift", "DirectConvAVX512", "public ",
     "Direct stride-1 convolution kernels for CPUs with AVX-512F.",
     "Built with -mavx512f -mfma; NetLangTensor's DirectConvolution calls it after a CPU check.",
     True, 3),
    ("Sources/NetLangKernelsAVX2/Generated/DirectConvAVX2.swift", "DirectConvAVX2", "public ",
     "Direct stride-1 convolution kernels for CPUs with AVX2 and FMA.",
     "Built with -mavx2 -mfma; NetLangTensor's DirectConvolution calls it after a CPU check.",
     True, 1),
    ("Sources/NetLangTensor/Kernels/Generated/DirectConvPortable.swift", "DirectConvPortable", "",
     "Direct stride-1 convolution kernels for any CPU.",
     "Runs everywhere (multiply, then add); DirectConvolution uses it when no AVX path applies.",
     False, 1),
]
for output in OUTPUTS:
    write(*output)
# Keep the output in the repository style.
subprocess.run(["swift", "format", "-i"] + [o[0] for o in OUTPUTS], check=True)
