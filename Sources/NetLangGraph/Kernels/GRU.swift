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
    Gemm.multiply(
      transposeA: false, transposeB: true, m: batch * steps, n: rows, k: geo.inputs, alpha: 1,
      a: x, lda: geo.inputs, b: wih, ldb: geo.inputs, beta: 0, c: gi, ldc: rows, pool: pool)
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

  /// BPTT from the saved gates.
  ///
  /// Scratch: dgi [B, 3H], dgh [B, 3H], dh [B, H], dhNext [B, H].
  static func backward(
    _ x: UnsafePointer<Float>, _ h: UnsafePointer<Float>, saved: UnsafePointer<Float>,
    _ wih: UnsafePointer<Float>, _ whh: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, parts: RecurrentParts, _ geo: RecurrentGeometry,
    pool: WorkerPool?
  ) {
    let hidden = geo.hidden, rows = geo.rows, batch = geo.batch
    let dgi = parts.scratch
    let dgh = dgi + batch * rows
    let dh = dgh + batch * rows
    let direct = dh + batch * hidden
    dh.update(repeating: 0, count: batch * hidden)
    for t in stride(from: geo.steps - 1, through: 0, by: -1) {
      for b in 0..<batch {
        let keep = saved + (t * batch + b) * 4 * hidden
        let di = dgi + b * rows, dhh = dgh + b * rows
        for j in 0..<hidden {
          let r = keep[j], z = keep[hidden + j], n = keep[2 * hidden + j], hn = keep[3 * hidden + j]
          let previous = t > 0 ? h[(b * geo.steps + t - 1) * hidden + j] : 0
          let dhTotal = g[(b * geo.steps + t) * hidden + j] + dh[b * hidden + j]
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
      geo.accumulateParameterGradients(
        dih: dgi, dhh: dgh, x: x, h: h, step: t, parts: parts, pool: pool)
      geo.inputGradient(dih: dgi, wih, dx: dx, step: t, pool: pool)
      dh.update(from: direct, count: batch * hidden)
      geo.hiddenGradient(dhh: dgh, whh, dh: dh, beta: 1, pool: pool)
    }
  }
}
