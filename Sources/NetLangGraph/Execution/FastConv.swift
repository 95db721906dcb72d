// FastConv: conv2d by im2col and Gemm (DirectConv takes stride 1 with small patches). The
// columns of every example sit side by side, cols[K, B·P]: the forward pass and the input
// gradient go a few examples at a time (columns, then their product, while they are in
// cache), the weight gradient is one product over the whole batch. Rows of the columns are
// copied as runs, not element by element.
// B = batch, F = filters, K = C·KH·KW, P = OH·OW (see ConvGeometry in Kernels/Conv2D.swift).

import NetLangTensor

enum FastConv {
  /// Floats of the forward workspace: cols[K, B·P] and the product [F, B·P].
  static func forwardCount(_ geo: ConvGeometry, batch: Int) -> Int {
    if let direct = DirectConv(geo, batch: batch) { return direct.forwardCount }
    return (geo.patch + geo.filters) * batch * geo.positions
  }

  /// Floats of the backward scratch: cols[K, B·P], dcols[K, B·P] and g as [F, B·P].
  static func backwardCount(_ geo: ConvGeometry, batch: Int) -> Int {
    if let direct = DirectConv(geo, batch: batch) { return direct.backwardCount }
    return (2 * geo.patch + geo.filters) * batch * geo.positions
  }

  /// Writes example x[C, H, W]'s columns into cols (row stride `ld`); padding reads as 0.
  static func im2col(
    _ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>, ld: Int, _ geo: ConvGeometry
  ) {
    let w = geo.window
    let oh = geo.outputHeight, ow = geo.outputWidth
    var r = 0
    for c in 0..<geo.channels {
      let plane = x + c &* geo.height &* geo.width
      for ki in 0..<w.kernelHeight {
        for kj in 0..<w.kernelWidth {
          let row = cols + r &* ld
          r &+= 1
          // Output columns j whose input column j·s − p + kj is inside [0, width).
          let (first, last) = validRange(
            kj, stride: w.strideWidth, padding: w.paddingWidth, size: geo.width, count: ow)
          for i in 0..<oh {
            let ih = i &* w.strideHeight &- w.paddingHeight &+ ki
            let target = row + i &* ow
            guard ih >= 0, ih < geo.height, first < last else {
              Pointwise.zero(target, count: ow)
              continue
            }
            let line = plane + ih &* geo.width
            if first > 0 { Pointwise.zero(target, count: first) }
            if w.strideWidth == 1 {
              Pointwise.copy(
                line + (first &- w.paddingWidth &+ kj), target + first, count: last &- first)
            } else {
              for j in first..<last { target[j] = line[j &* w.strideWidth &- w.paddingWidth &+ kj] }
            }
            if last < ow { Pointwise.zero(target + last, count: ow &- last) }
          }
        }
      }
    }
  }

  /// dx[C, H, W] += the columns scattered back (the adjoint of `im2col`).
  static func col2im(
    _ cols: UnsafePointer<Float>, ld: Int, _ dx: UnsafeMutablePointer<Float>, _ geo: ConvGeometry
  ) {
    let w = geo.window
    let oh = geo.outputHeight, ow = geo.outputWidth
    var r = 0
    for c in 0..<geo.channels {
      let plane = dx + c &* geo.height &* geo.width
      for ki in 0..<w.kernelHeight {
        for kj in 0..<w.kernelWidth {
          let row = cols + r &* ld
          r &+= 1
          let (first, last) = validRange(
            kj, stride: w.strideWidth, padding: w.paddingWidth, size: geo.width, count: ow)
          guard first < last else { continue }
          for i in 0..<oh {
            let ih = i &* w.strideHeight &- w.paddingHeight &+ ki
            guard ih >= 0, ih < geo.height else { continue }
            let source = row + i &* ow
            let line = plane + ih &* geo.width
            if w.strideWidth == 1 {
              let shifted = line + (kj &- w.paddingWidth)
              var j = first
              while j &+ 8 <= last {
                let sum = load(shifted, j) + load(source, j)
                UnsafeMutableRawPointer(shifted + j).storeBytes(of: sum, as: SIMD8<Float>.self)
                j &+= 8
              }
              while j < last {
                shifted[j] += source[j]
                j &+= 1
              }
            } else {
              for j in first..<last {
                line[j &* w.strideWidth &- w.paddingWidth &+ kj] += source[j]
              }
            }
          }
        }
      }
    }
  }

  @inline(__always)
  static func load(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
  }

  /// The output indices j in [first, last) with 0 ≤ j·stride − padding + k < size.
  @inline(__always)
  static func validRange(
    _ k: Int, stride: Int, padding: Int, size: Int, count: Int
  ) -> (Int, Int) {
    // j·stride ≥ padding − k  and  j·stride ≤ size − 1 + padding − k.
    let low = padding - k
    let first = low <= 0 ? 0 : (low + stride - 1) / stride
    let high = size - 1 + padding - k
    let last = high < 0 ? 0 : min(count, high / stride + 1)
    return (min(first, count), last)
  }

  /// y[B, F, P] = W[F, K]·cols + bias[F].
  ///
  /// A few examples at a time (`chunkExamples`, the chunks split across the pool): their
  /// columns, then the product for them while the columns are in cache, then the product
  /// regrouped into y with the bias. The columns stay in the workspace for the backward pass.
  static func forward(
    _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
    _ y: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>, batch: Int,
    _ geo: ConvGeometry, pool: WorkerPool?
  ) {
    if let direct = DirectConv(geo, batch: batch) {
      direct.forward(x, weight, bias, y, workspace: workspace, pool: pool)
      return
    }
    let p = geo.positions, k = geo.patch, f = geo.filters, n = batch &* p
    let cols = workspace
    let product = workspace + k &* n
    forEachChunk(batch, size: chunkExamples(geo), pool: pool, elements: (k &+ f) &* n) {
      first, count in
      for b in first..<(first &+ count) {
        im2col(x + b &* geo.inputCount, cols + b &* p, ld: n, geo)
      }
      Gemm.multiply(
        transposeA: false, transposeB: false, m: f, n: count &* p, k: k, alpha: 1, a: weight,
        lda: k, b: cols + first &* p, ldb: n, beta: 0, c: product + first &* p, ldc: n)
      for b in first..<(first &+ count) {
        for filter in 0..<f {
          let source = product + (filter &* n &+ b &* p)
          let target = y + (b &* f &+ filter) &* p
          if let bias {
            Pointwise.addScalar(source, bias[filter], target, count: p)
          } else {
            target.update(from: source, count: p)
          }
        }
      }
    }
  }

  /// dx[B, C, H, W], dW[F, K] = g·colsᵀ, db[F] = Σ g, with g [B, F, P] regrouped as [F, B·P].
  ///
  /// `dx` nil skips the input gradient. `columns`: the forward pass's cols of the same x,
  /// when still at hand (else rebuilt).
  static func backward(
    _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
    dBias: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
    columns: UnsafePointer<Float>? = nil, batch: Int, _ geo: ConvGeometry, pool: WorkerPool?
  ) {
    if let direct = DirectConv(geo, batch: batch) {
      direct.backward(
        x, weight, g, dx: dx, dWeight: dWeight, dBias: dBias, scratch: scratch, inputs: columns,
        pool: pool)
      return
    }
    let p = geo.positions, k = geo.patch, f = geo.filters, n = batch &* p
    let dcols = scratch + k &* n
    let grouped = dcols + k &* n
    let cols = columns ?? UnsafePointer(scratch)
    forEachExample(batch, pool: pool, elements: columns == nil ? k &* n : f &* n) { b in
      if columns == nil { im2col(x + b &* geo.inputCount, scratch + b &* p, ld: n, geo) }
      for filter in 0..<f {
        (grouped + (filter &* n &+ b &* p)).update(from: g + (b &* f &+ filter) &* p, count: p)
      }
    }
    Gemm.multiply(
      transposeA: false, transposeB: true, m: f, n: k, k: n, alpha: 1, a: grouped, lda: n,
      b: cols, ldb: n, beta: 0, c: dWeight, ldc: k, pool: pool)
    biasGradient(g, batch: batch, geo, into: dBias, pool: pool)
    guard let dx else { return }
    // A few examples at a time: their columns' gradient Wᵀ·g, scattered back into dx while
    // still in cache.
    forEachChunk(batch, size: chunkExamples(geo), pool: pool, elements: k &* n) { first, count in
      Gemm.multiply(
        transposeA: true, transposeB: false, m: k, n: count &* p, k: f, alpha: 1, a: weight,
        lda: k, b: grouped + first &* p, ldb: n, beta: 0, c: dcols + first &* p, ldc: n)
      for b in first..<(first &+ count) {
        (dx + b &* geo.inputCount).update(repeating: 0, count: geo.inputCount)
        col2im(dcols + b &* p, ld: n, dx + b &* geo.inputCount, geo)
      }
    }
  }

  /// db[f] = Σ g[b, f, :] from g [B, F, P], per example, then across examples (the order of
  /// the per-example reference); filters split across the pool, each summed by one thread.
  static func biasGradient(
    _ g: UnsafePointer<Float>, batch: Int, _ geo: ConvGeometry,
    into dBias: UnsafeMutablePointer<Float>, pool: WorkerPool?
  ) {
    Parallel.forRanges(
      geo.filters, elementsEach: batch &* geo.positions, multiple: 1, pool: pool
    ) {
      first, count in
      biasGradient(g, batch: batch, geo, filters: first..<(first &+ count), into: dBias)
    }
  }

  /// `biasGradient` of the filters in `range` only, on the calling thread.
  static func biasGradient(
    _ g: UnsafePointer<Float>, batch: Int, _ geo: ConvGeometry, filters range: Range<Int>,
    into dBias: UnsafeMutablePointer<Float>
  ) {
    let f = geo.filters, p = geo.positions
    for filter in range {
      var total: Float = 0
      for b in 0..<batch { total += Reduction.sum(g + (b &* f &+ filter) &* p, count: p) }
      dBias[filter] = total
    }
  }

  /// Examples per chunk: enough that a chunk's columns fill whole 32-wide Gemm tiles
  /// (32 / gcd(P, 32): 2 for 28×28 outputs, 8 for 10×10), at most 32.
  static func chunkExamples(_ geo: ConvGeometry) -> Int {
    var a = geo.positions, b = 32
    while b != 0 { (a, b) = (b, a % b) }
    return 32 / max(a, 1)
  }

  /// Runs `body(firstExample, examples)` over chunks of `size` examples (the last may be
  /// shorter), consecutive chunks per part of the pool when the examples together touch enough
  /// `elements` to pay for the handoff (each chunk writes only its own examples' data).
  static func forEachChunk(
    _ batch: Int, size: Int, pool: WorkerPool?, elements: Int, _ body: (Int, Int) -> Void
  ) {
    let size = min(max(size, 1), max(batch, 1))
    let chunks = (batch &+ size &- 1) / size
    func run(_ firstChunk: Int, _ lastChunk: Int) {
      for chunk in firstChunk..<lastChunk {
        let first = chunk &* size
        body(first, min(size, batch &- first))
      }
    }
    let parts = min(pool?.threads ?? 1, chunks)
    guard let pool, parts > 1, elements >= 1 << 16 else {
      run(0, chunks)
      return
    }
    pool.run(parts: parts) { part in
      run(chunks &* part / parts, chunks &* (part &+ 1) / parts)
    }
  }

  /// `forEachChunk` one example at a time: `body(b)` for every example.
  static func forEachExample(
    _ batch: Int, pool: WorkerPool?, elements: Int, _ body: (Int) -> Void
  ) {
    forEachChunk(batch, size: 1, pool: pool, elements: elements) { first, count in
      for b in first..<(first &+ count) { body(b) }
    }
  }
}
