// FastLSTM: the LSTM the executor runs (PyTorch gate layout i, f, g, o). The input projection
// of every step is one Gemm over all B·T rows; only h_{t−1}·W_hhᵀ runs per step. Backward keeps
// every step's gate gradients so dW_ih, dW_hh, the biases and dx are one Gemm (or sum) each.
// B = batch, T = steps, I = inputs, H = hidden, R = 4H; rows are (b, t), row index b·T + t.
// Forward workspace: W_hhᵀ [H, R] (so the per-step Gemm reads it in place, unpacked), then
// activated gates [B·T, R], cell states [B·T, H] and their tanh [B·T, H] (backward reuses it).

import NetLangTensor

enum FastLSTM {
  /// Floats of the forward workspace.
  static func forwardCount(batch: Int, steps: Int, hidden: Int) -> Int {
    4 * hidden * hidden + batch * steps * 6 * hidden
  }

  /// Floats of the backward scratch: dgates [B·T, R], dh and dc [B, H], the rows
  /// [x_t | h_{t−1}] [B·T, I + H] and the weight gradients side by side [R, I + H].
  static func backwardScratch(batch: Int, steps: Int, inputs: Int, hidden: Int) -> Int {
    let width = inputs + hidden
    return batch * steps * (4 * hidden + width) + 2 * batch * hidden + 4 * hidden * width
  }

  @inline(__always)
  static func load(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD8<Float>.self)
  }

  /// c_t = f·c_{t−1} + i·g, h_t = o·tanh(c_t), gates from W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh.
  static func forward(
    _ x: UnsafePointer<Float>, _ wih: UnsafePointer<Float>, _ whh: UnsafePointer<Float>,
    _ bih: UnsafePointer<Float>, _ bhh: UnsafePointer<Float>, _ h: UnsafeMutablePointer<Float>,
    saved: UnsafeMutablePointer<Float>, _ geo: RecurrentGeometry, pool: WorkerPool?
  ) {
    let hidden = geo.hidden, rows = 4 * hidden, batch = geo.batch, steps = geo.steps
    let whhT = saved
    let gates = saved + rows &* hidden
    let cells = gates + batch &* steps &* rows
    let tanhCells = cells + batch &* steps &* hidden
    GemmPacking.packStrided(
      source: whh, stride: hidden, lines: rows, depth: hidden, width: rows, into: whhT)
    geo.inputProjections(x, wih, into: gates, pool: pool)
    // Rows of the batch are independent through the whole sequence: each part takes its own
    // rows through every step's recurrent product and gate arithmetic, with no handoff
    // between steps.
    splitBatch(batch, hidden: hidden, pool: pool) { first, count in
      for t in 0..<steps {
        if t > 0 {
          let offset = first &* steps &+ t
          Gemm.multiply(
            transposeA: false, transposeB: false, m: count, n: rows, k: hidden, alpha: 1,
            a: h + (offset &- 1) &* hidden, lda: steps &* hidden, b: whhT, ldb: rows, beta: 1,
            c: gates + offset &* rows, ldc: steps &* rows)
        }
        for b in first..<(first &+ count) {
          let index = b &* steps &+ t
          let row = gates + index &* rows
          addBiases(row, bih, bhh, count: rows)
          VectorMath.sigmoid(row, row, count: 2 &* hidden)
          VectorMath.tanh(row + 2 &* hidden, row + 2 &* hidden, count: hidden)
          VectorMath.sigmoid(row + 3 &* hidden, row + 3 &* hidden, count: hidden)
          let c = cells + index &* hidden
          let tanhC = tanhCells + index &* hidden
          updateCell(c, gates: row, previous: t > 0 ? c - hidden : nil, hidden: hidden)
          VectorMath.tanh(c, tanhC, count: hidden)
          let o = row + 3 &* hidden, ht = h + index &* hidden
          var j = 0
          while j &+ 8 <= hidden {
            store(load(o, j) * load(tanhC, j), ht, j)
            j &+= 8
          }
          while j < hidden {
            ht[j] = o[j] * tanhC[j]
            j &+= 1
          }
        }
      }
    }
  }

  /// row += b_ih + b_hh (in that order, as the reference adds them).
  @inline(__always)
  static func addBiases(
    _ row: UnsafeMutablePointer<Float>, _ bih: UnsafePointer<Float>, _ bhh: UnsafePointer<Float>,
    count: Int
  ) {
    var j = 0
    while j &+ 8 <= count {
      store(load(row, j) + load(bih, j) + load(bhh, j), row, j)
      j &+= 8
    }
    while j < count {
      row[j] = row[j] + bih[j] + bhh[j]
      j &+= 1
    }
  }

  /// c = f·c_{t−1} + i·g from a row of activated gates (c_{t−1} = 0 at the first step, still
  /// multiplied so a NaN forget gate shows).
  @inline(__always)
  static func updateCell(
    _ c: UnsafeMutablePointer<Float>, gates row: UnsafePointer<Float>,
    previous: UnsafePointer<Float>?, hidden: Int
  ) {
    let i = row, f = row + hidden, g = row + 2 &* hidden
    var j = 0
    while j &+ 8 <= hidden {
      let before = previous.map { load($0, j) } ?? SIMD8<Float>()
      store(load(f, j) * before + load(i, j) * load(g, j), c, j)
      j &+= 8
    }
    while j < hidden {
      c[j] = f[j] * (previous?[j] ?? 0) + i[j] * g[j]
      j &+= 1
    }
  }

  /// Multiply-adds of one step's recurrent product below which the batch is not split: each
  /// part's per-step products get too small for the micro-kernel's tiles to pay.
  static let minimumStepWork = 400_000

  /// Runs `body(firstRow, rows)` over the batch rows (a pass over every step: rows of the
  /// batch never meet in an LSTM).
  ///
  /// Split across the pool when a step is big enough; every row is computed by the same code
  /// either way.
  static func splitBatch(
    _ batch: Int, hidden: Int, pool: WorkerPool?, _ body: (Int, Int) -> Void
  ) {
    let work = batch &* 4 &* hidden &* hidden
    let parts = min(pool?.threads ?? 1, batch / 4, work / minimumStepWork)
    guard let pool, parts > 1 else {
      body(0, batch)
      return
    }
    pool.run(parts: parts) { part in
      let first = batch &* part / parts
      body(first, batch &* (part &+ 1) / parts &- first)
    }
  }

  /// Backpropagation through time from the saved gates and cells; writes dx [B, T, I] and the
  /// parameter gradients into `parts` (overwritten).
  static func backward(
    _ x: UnsafePointer<Float>, _ h: UnsafePointer<Float>, saved: UnsafePointer<Float>,
    _ wih: UnsafePointer<Float>, _ whh: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, parts: RecurrentParts, _ geo: RecurrentGeometry,
    pool: WorkerPool?
  ) {
    let hidden = geo.hidden, rows = 4 * hidden, batch = geo.batch, steps = geo.steps
    let all = batch &* steps
    let gates = saved + rows &* hidden
    let cells = gates + all &* rows
    let tanhCells = cells + all &* hidden
    let dgates = parts.scratch
    let dh = dgates + all &* rows
    let dc = dh + batch &* hidden
    let width = geo.inputs &+ hidden
    let joined = dc + batch &* hidden
    let product = joined + all &* width
    dh.update(repeating: 0, count: 2 &* batch &* hidden)
    splitBatch(batch, hidden: hidden, pool: pool) { first, count in
      for t in stride(from: steps &- 1, through: 0, by: -1) {
        for b in first..<(first &+ count) {
          let index = b &* steps &+ t
          let row = gates + index &* rows
          let d = dgates + index &* rows
          let c = cells + index &* hidden
          let tcb = tanhCells + index &* hidden
          let gt = g + index &* hidden
          let dhb = dh + b &* hidden, dcb = dc + b &* hidden
          var j = 0
          while j &+ 8 <= hidden {
            let i = load(row, j), f = load(row, hidden &+ j)
            let gg = load(row, 2 &* hidden &+ j), o = load(row, 3 &* hidden &+ j)
            let tanhC = load(tcb, j)
            let previous = t > 0 ? load(c - hidden, j) : SIMD8<Float>()
            let dhTotal = load(gt, j) + load(dhb, j)
            let dcTotal = load(dcb, j) + dhTotal * o * (1 - tanhC * tanhC)
            store(dcTotal * gg * i * (1 - i), d, j)
            store(dcTotal * previous * f * (1 - f), d, hidden &+ j)
            store(dcTotal * i * (1 - gg * gg), d, 2 &* hidden &+ j)
            store(dhTotal * tanhC * o * (1 - o), d, 3 &* hidden &+ j)
            store(dcTotal * f, dcb, j)
            j &+= 8
          }
          while j < hidden {
            let i = row[j], f = row[hidden &+ j], gg = row[2 &* hidden &+ j]
            let o = row[3 &* hidden &+ j]
            let tanhC = tcb[j]
            let previous: Float = t > 0 ? (c - hidden)[j] : 0
            let dhTotal = gt[j] + dhb[j]
            let dcTotal = dcb[j] + dhTotal * o * (1 - tanhC * tanhC)
            d[j] = dcTotal * gg * i * (1 - i)
            d[hidden &+ j] = dcTotal * previous * f * (1 - f)
            d[2 &* hidden &+ j] = dcTotal * i * (1 - gg * gg)
            d[3 &* hidden &+ j] = dhTotal * tanhC * o * (1 - o)
            dcb[j] = dcTotal * f
            j &+= 1
          }
        }
        if t > 0 {
          Gemm.multiply(
            transposeA: false, transposeB: false, m: count, n: hidden, k: rows, alpha: 1,
            a: dgates + (first &* steps &+ t) &* rows, lda: steps &* rows, b: whh, ldb: hidden,
            beta: 0, c: dh + first &* hidden, ldc: hidden)
        }
      }
    }
    // [x_t | h_{t−1}] for every row (h = 0 at t = 0): dgatesᵀ·joined = [dW_ih | dW_hh] is one
    // product over all rows, packing dgates once instead of once per gradient.
    let inputs = geo.inputs
    for index in 0..<all {
      let target = joined + index &* width
      target.update(from: x + index &* inputs, count: inputs)
      if index % steps == 0 {
        (target + inputs).update(repeating: 0, count: hidden)
      } else {
        (target + inputs).update(from: h + (index &- 1) &* hidden, count: hidden)
      }
    }
    Gemm.multiply(
      transposeA: true, transposeB: false, m: rows, n: width, k: all, alpha: 1, a: dgates,
      lda: rows, b: joined, ldb: width, beta: 0, c: product, ldc: width, pool: pool)
    for r in 0..<rows {
      (parts.wih + r &* inputs).update(from: product + r &* width, count: inputs)
      (parts.whh + r &* hidden).update(from: product + (r &* width &+ inputs), count: hidden)
    }
    Pointwise.sumRows(dgates, rows: all, columns: rows, into: parts.bih, pool: pool)
    parts.bhh.update(from: parts.bih, count: rows)
    geo.inputGradients(dih: dgates, wih, dx: dx, pool: pool)
  }
}
