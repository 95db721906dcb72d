// GRU kernels (PyTorch layout: gate rows r, z, n), forward beside backpropagation through
// time. B = batch, T = steps, I = inputs, H = hidden; see Recurrent.swift.
// Saved per step (workspace): r, z, n and hn = W_hn·h_{t−1} + b_hn as [T, B, 4H], then
// scratch for the input projections of every step gi [B·T, 3H] and one step's gh [B, 3H].

import NetLangTensor

enum GRU {
  /// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
  /// n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h_t = (1 − z)·n + z·h_{t−1}.
  static func forward(
    _ x: UnsafePointer<Float>, _ wih: UnsafePointer<Float>, _ whh: UnsafePointer<Float>,
    _ bih: UnsafePointer<Float>, _ bhh: UnsafePointer<Float>, _ h: UnsafeMutablePointer<Float>,
    saved: UnsafeMutablePointer<Float>, _ geo: RecurrentGeometry, pool: WorkerPool?
  ) {
    let hidden = geo.hidden, rows = geo.rows, batch = geo.batch, steps = geo.steps
    let gi = saved + steps * batch * 4 * hidden
    let gh = gi + batch * steps * rows
    // Every step's input projection in one product over all B·T rows (row b·T + t).
    geo.inputProjections(x, wih, into: gi, pool: pool)
    for t in 0..<steps {
      geo.hiddenProjection(h, step: t, whh, into: gh, ldOut: rows, beta: 0, pool: pool)
      for b in 0..<batch {
        let pi = gi + (b * steps + t) * rows, ph = gh + b * rows
        let keep = saved + (t * batch + b) * 4 * hidden
        let ht = h + (b * geo.steps + t) * hidden
        // The gates' pre-activations go into `keep` and are activated there a row at a
        // time by the vector sigmoid and tanh (the graph's own elementwise kernels).
        for j in 0..<(2 * hidden) { keep[j] = pi[j] + bih[j] + ph[j] + bhh[j] }
        VectorMath.sigmoid(keep, keep, count: 2 * hidden)
        for j in 0..<hidden {
          let hn = ph[2 * hidden + j] + bhh[2 * hidden + j]
          keep[3 * hidden + j] = hn
          keep[2 * hidden + j] = pi[2 * hidden + j] + bih[2 * hidden + j] + keep[j] * hn
        }
        VectorMath.tanh(keep + 2 * hidden, keep + 2 * hidden, count: hidden)
        for j in 0..<hidden {
          let z = keep[hidden + j], n = keep[2 * hidden + j]
          let previous = t > 0 ? h[(b * geo.steps + t - 1) * hidden + j] : 0
          ht[j] = (1 - z) * n + z * previous
        }
      }
    }
  }

  /// Floats of the backward scratch: every step's dgi and dgh [B·T, 3H], dh and the direct
  /// part of dh [B, H] each.
  static func backwardScratch(batch: Int, steps: Int, hidden: Int) -> Int {
    2 * batch * steps * 3 * hidden + 2 * batch * hidden
  }

  /// BPTT from the saved gates. Only dh's recursion runs a product per step; every step's
  /// gate gradients are kept (row b·T + t) so dW_ih, dW_hh and dx are one product each.
  static func backward(
    _ x: UnsafePointer<Float>, _ h: UnsafePointer<Float>, saved: UnsafePointer<Float>,
    _ wih: UnsafePointer<Float>, _ whh: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, parts: RecurrentParts, _ geo: RecurrentGeometry,
    pool: WorkerPool?
  ) {
    let hidden = geo.hidden, rows = geo.rows, batch = geo.batch, steps = geo.steps
    let dgi = parts.scratch
    let dgh = dgi + batch * steps * rows
    let dh = dgh + batch * steps * rows
    let direct = dh + batch * hidden
    dh.update(repeating: 0, count: batch * hidden)
    for t in stride(from: steps - 1, through: 0, by: -1) {
      for b in 0..<batch {
        let keep = saved + (t * batch + b) * 4 * hidden
        let row = (b * steps + t) * rows
        let di = dgi + row, dhh = dgh + row
        for j in 0..<hidden {
          let r = keep[j], z = keep[hidden + j], n = keep[2 * hidden + j], hn = keep[3 * hidden + j]
          let previous = t > 0 ? h[(b * steps + t - 1) * hidden + j] : 0
          let dhTotal = g[(b * steps + t) * hidden + j] + dh[b * hidden + j]
          let dn = dhTotal * (1 - z) * (1 - n * n)
          let dz = dhTotal * (previous - n) * z * (1 - z)
          let dr = dn * hn * r * (1 - r)
          di[j] = dr
          di[hidden + j] = dz
          di[2 * hidden + j] = dn
          dhh[j] = dr
          dhh[hidden + j] = dz
          dhh[2 * hidden + j] = dn * r
          direct[b * hidden + j] = dhTotal * z
        }
      }
      // dh_{t−1} = direct + dgh_t·W_hh (rows b·T + t of dgh).
      dh.update(from: direct, count: batch * hidden)
      geo.hiddenGradient(
        dhh: dgh + t * rows, whh, dh: dh, beta: 1, dhhStride: steps * rows, pool: pool)
    }
    let all = batch * steps
    // Biases: column sums over every step of both gate gradients (dgh's step 0 included).
    Pointwise.sumRows(dgi, rows: all, columns: rows, into: parts.bih, pool: pool)
    Pointwise.sumRows(dgh, rows: all, columns: rows, into: parts.bhh, pool: pool)
    // dW_ih = Σ dgiᵀ·x_t and dx = dgi·W_ih over all B·T rows at once.
    Gemm.multiply(
      transposeA: true, transposeB: false, m: rows, n: geo.inputs, k: all, alpha: 1, a: dgi,
      lda: rows, b: x, ldb: geo.inputs, beta: 0, c: parts.wih, ldc: geo.inputs, pool: pool)
    geo.inputGradients(dih: dgi, wih, dx: dx, pool: pool)
    // dW_hh = Σ_{t ≥ 1} dgh_tᵀ·h_{t−1}: row r of dgh pairs with row r − 1 of h, and the rows
    // of step 0 (whose h_{−1} is zero, not the previous example's last step) are cleared.
    for b in 0..<batch { (dgh + b * steps * rows).update(repeating: 0, count: rows) }
    if all > 1 {
      Gemm.multiply(
        transposeA: true, transposeB: false, m: rows, n: hidden, k: all - 1, alpha: 1,
        a: dgh + rows, lda: rows, b: h, ldb: hidden, beta: 0, c: parts.whh, ldc: hidden,
        pool: pool)
    }
  }
}
