// Recurrent kernels shared by rnn, lstm and gru, and the plain tanh RNN itself.
// B = batch, T = time steps, I = input features, H = hidden units, G = gates (1, 4, 3),
// x [B, T, I], h [B, T, H], W_ih [G·H, I], W_hh [G·H, H]. h₀ = 0 (and c₀ = 0).
// One Gemm per step handles the whole batch: step t of x is rows of stride T·I.

import NetLangTensor

/// The sizes of a recurrent layer and its step views.
struct RecurrentGeometry {
  var batch: Int, steps: Int, inputs: Int, hidden: Int, gates: Int
  /// G·H, the rows of W_ih and W_hh.
  var rows: Int { gates * hidden }

  /// out[B, G·H] (row stride ldOut) = x_t·W_ihᵀ (+ beta·out).
  func inputProjection(
    _ x: UnsafePointer<Float>, step t: Int, _ wih: UnsafePointer<Float>,
    into out: UnsafeMutablePointer<Float>, ldOut: Int, beta: Float, pool: WorkerPool?
  ) {
    Gemm.multiply(
      transposeA: false, transposeB: true, m: batch, n: rows, k: inputs, alpha: 1,
      a: x + t * inputs, lda: steps * inputs, b: wih, ldb: inputs, beta: beta, c: out,
      ldc: ldOut, pool: pool)
  }

  /// out[B, G·H] += h_{t−1}·W_hhᵀ, where h is the layer's output [B, T, H]; nothing at t = 0.
  func hiddenProjection(
    _ h: UnsafePointer<Float>, step t: Int, _ whh: UnsafePointer<Float>,
    into out: UnsafeMutablePointer<Float>, ldOut: Int, beta: Float, pool: WorkerPool?
  ) {
    guard t > 0 else {
      if beta == 0 {
        for b in 0..<batch { (out + b * ldOut).update(repeating: 0, count: rows) }
      }
      return
    }
    Gemm.multiply(
      transposeA: false, transposeB: true, m: batch, n: rows, k: hidden, alpha: 1,
      a: h + (t - 1) * hidden, lda: steps * hidden, b: whh, ldb: hidden, beta: beta, c: out,
      ldc: ldOut, pool: pool)
  }

  /// Parameter gradients of one step from d(pre-activations) `dih` (input side) and `dhh`
  /// (hidden side), both [B, G·H]: dW_ih += dihᵀ·x_t, dW_hh += dhhᵀ·h_{t−1}, biases += Σ_b.
  func accumulateParameterGradients(
    dih: UnsafePointer<Float>, dhh: UnsafePointer<Float>, x: UnsafePointer<Float>,
    h: UnsafePointer<Float>, step t: Int, parts: RecurrentParts, pool: WorkerPool?
  ) {
    Gemm.multiply(
      transposeA: true, transposeB: false, m: rows, n: inputs, k: batch, alpha: 1, a: dih,
      lda: rows, b: x + t * inputs, ldb: steps * inputs, beta: 1, c: parts.wih, ldc: inputs,
      pool: pool)
    if t > 0 {
      Gemm.multiply(
        transposeA: true, transposeB: false, m: rows, n: hidden, k: batch, alpha: 1, a: dhh,
        lda: rows, b: h + (t - 1) * hidden, ldb: steps * hidden, beta: 1, c: parts.whh,
        ldc: hidden, pool: pool)
    }
    for b in 0..<batch {
      for r in 0..<rows {
        parts.bih[r] += dih[b * rows + r]
        parts.bhh[r] += dhh[b * rows + r]
      }
    }
  }

  /// dx_t[B, I] = dih·W_ih.
  func inputGradient(
    dih: UnsafePointer<Float>, _ wih: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
    step t: Int, pool: WorkerPool?
  ) {
    Gemm.multiply(
      transposeA: false, transposeB: false, m: batch, n: inputs, k: rows, alpha: 1, a: dih,
      lda: rows, b: wih, ldb: inputs, beta: 0, c: dx + t * inputs, ldc: steps * inputs,
      pool: pool)
  }

  /// dh[B, H] = dhh·W_hh + beta·dh; dhh's rows are `dhhStride` apart (default G·H).
  func hiddenGradient(
    dhh: UnsafePointer<Float>, _ whh: UnsafePointer<Float>, dh: UnsafeMutablePointer<Float>,
    beta: Float, dhhStride: Int? = nil, pool: WorkerPool?
  ) {
    Gemm.multiply(
      transposeA: false, transposeB: false, m: batch, n: hidden, k: rows, alpha: 1, a: dhh,
      lda: dhhStride ?? rows, b: whh, ldb: hidden, beta: beta, c: dh, ldc: hidden, pool: pool)
  }

  /// out[B·T, G·H] = x·W_ihᵀ for every step at once (row b·T + t).
  func inputProjections(
    _ x: UnsafePointer<Float>, _ wih: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
    pool: WorkerPool?
  ) {
    Gemm.multiply(
      transposeA: false, transposeB: true, m: batch * steps, n: rows, k: inputs, alpha: 1,
      a: x, lda: inputs, b: wih, ldb: inputs, beta: 0, c: out, ldc: rows, pool: pool)
  }

  /// dx[B·T, I] = dih·W_ih for every step at once, from dih [B·T, G·H] (row b·T + t).
  func inputGradients(
    dih: UnsafePointer<Float>, _ wih: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
    pool: WorkerPool?
  ) {
    Gemm.multiply(
      transposeA: false, transposeB: false, m: batch * steps, n: inputs, k: rows, alpha: 1,
      a: dih, lda: rows, b: wih, ldb: inputs, beta: 0, c: dx, ldc: inputs, pool: pool)
  }
}

/// Where a recurrent backward node writes its parameter gradients (workspace parts 0–3),
/// followed by its scratch memory.
struct RecurrentParts {
  var wih, whh, bih, bhh, scratch: UnsafeMutablePointer<Float>

  init(_ base: UnsafeMutablePointer<Float>, _ geo: RecurrentGeometry) {
    wih = base
    whh = wih + geo.rows * geo.inputs
    bih = whh + geo.rows * geo.hidden
    bhh = bih + geo.rows
    scratch = bhh + geo.rows
    wih.update(repeating: 0, count: geo.rows * (geo.inputs + geo.hidden + 2))
  }
}

enum RNN {
  /// h_t = tanh(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh), written straight into h [B, T, H].
  static func forward(
    _ x: UnsafePointer<Float>, _ wih: UnsafePointer<Float>, _ whh: UnsafePointer<Float>,
    _ bih: UnsafePointer<Float>, _ bhh: UnsafePointer<Float>, _ h: UnsafeMutablePointer<Float>,
    _ geo: RecurrentGeometry, pool: WorkerPool?
  ) {
    let hidden = geo.hidden, ld = geo.steps * hidden
    for t in 0..<geo.steps {
      let ht = h + t * hidden
      geo.inputProjection(x, step: t, wih, into: ht, ldOut: ld, beta: 0, pool: pool)
      if t > 0 { geo.hiddenProjection(h, step: t, whh, into: ht, ldOut: ld, beta: 1, pool: pool) }
      for b in 0..<geo.batch {
        let row = ht + b * ld
        for j in 0..<hidden { row[j] = Elementwise.tanh(row[j] + bih[j] + bhh[j]) }
      }
    }
  }

  /// Backpropagation through time.
  ///
  /// g and h are [B, T, H]; writes dx [B, T, I] and the parts.
  /// Scratch: da [B, H], dh [B, H].
  static func backward(
    _ x: UnsafePointer<Float>, _ h: UnsafePointer<Float>, _ wih: UnsafePointer<Float>,
    _ whh: UnsafePointer<Float>, _ g: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
    parts: RecurrentParts, _ geo: RecurrentGeometry, pool: WorkerPool?
  ) {
    let hidden = geo.hidden, ld = geo.steps * hidden
    let da = parts.scratch
    let dh = da + geo.batch * hidden
    dh.update(repeating: 0, count: geo.batch * hidden)
    for t in stride(from: geo.steps - 1, through: 0, by: -1) {
      for b in 0..<geo.batch {
        for j in 0..<hidden {
          let y = h[b * ld + t * hidden + j]
          let total = g[b * ld + t * hidden + j] + dh[b * hidden + j]
          da[b * hidden + j] = total * (1 - y * y)
        }
      }
      geo.accumulateParameterGradients(
        dih: da, dhh: da, x: x, h: h, step: t, parts: parts, pool: pool)
      geo.inputGradient(dih: da, wih, dx: dx, step: t, pool: pool)
      geo.hiddenGradient(dhh: da, whh, dh: dh, beta: 0, pool: pool)
    }
  }
}
