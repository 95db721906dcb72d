// LSTM kernels (PyTorch layout: gate rows i, f, g, o), forward beside backpropagation
// through time. B = batch, T = steps, I = inputs, H = hidden; see Recurrent.swift.
// Saved per step (workspace): activated gates [T, B, 4H], then cell states [T, B, H].

import NetLangTensor

enum LSTM {
  /// i, f, o = σ(·), g = tanh(·) of W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh;
  /// c_t = f·c_{t−1} + i·g; h_t = o·tanh(c_t).
  static func forward(
    _ x: UnsafePointer<Float>, _ wih: UnsafePointer<Float>, _ whh: UnsafePointer<Float>,
    _ bih: UnsafePointer<Float>, _ bhh: UnsafePointer<Float>, _ h: UnsafeMutablePointer<Float>,
    saved: UnsafeMutablePointer<Float>, _ geo: RecurrentGeometry, pool: WorkerPool?
  ) {
    let hidden = geo.hidden, rows = geo.rows, batch = geo.batch
    let cells = saved + geo.steps * batch * rows
    for t in 0..<geo.steps {
      let gates = saved + t * batch * rows
      geo.inputProjection(x, step: t, wih, into: gates, ldOut: rows, beta: 0, pool: pool)
      if t > 0 {
        geo.hiddenProjection(h, step: t, whh, into: gates, ldOut: rows, beta: 1, pool: pool)
      }
      for b in 0..<batch {
        let row = gates + b * rows
        let c = cells + (t * batch + b) * hidden
        let ht = h + (b * geo.steps + t) * hidden
        for j in 0..<hidden {
          let i = Elementwise.sigmoid(row[j] + bih[j] + bhh[j])
          let f = Elementwise.sigmoid(row[hidden + j] + bih[hidden + j] + bhh[hidden + j])
          let g = Elementwise.tanh(row[2 * hidden + j] + bih[2 * hidden + j] + bhh[2 * hidden + j])
          let o = Elementwise.sigmoid(
            row[3 * hidden + j] + bih[3 * hidden + j] + bhh[3 * hidden + j])
          let previous = t > 0 ? cells[((t - 1) * batch + b) * hidden + j] : 0
          c[j] = f * previous + i * g
          ht[j] = o * Elementwise.tanh(c[j])
          row[j] = i
          row[hidden + j] = f
          row[2 * hidden + j] = g
          row[3 * hidden + j] = o
        }
      }
    }
  }

  /// BPTT from the saved gates and cells.
  ///
  /// Scratch: dgates [B, 4H], dh [B, H], dc [B, H].
  static func backward(
    _ x: UnsafePointer<Float>, _ h: UnsafePointer<Float>, saved: UnsafePointer<Float>,
    _ wih: UnsafePointer<Float>, _ whh: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, parts: RecurrentParts, _ geo: RecurrentGeometry,
    pool: WorkerPool?
  ) {
    let hidden = geo.hidden, rows = geo.rows, batch = geo.batch
    let cells = saved + geo.steps * batch * rows
    let dgates = parts.scratch
    let dh = dgates + batch * rows
    let dc = dh + batch * hidden
    dh.update(repeating: 0, count: 2 * batch * hidden)
    for t in stride(from: geo.steps - 1, through: 0, by: -1) {
      let gates = saved + t * batch * rows
      for b in 0..<batch {
        let row = gates + b * rows
        let d = dgates + b * rows
        for j in 0..<hidden {
          let i = row[j], f = row[hidden + j], gg = row[2 * hidden + j], o = row[3 * hidden + j]
          let c = cells[(t * batch + b) * hidden + j]
          let previous = t > 0 ? cells[((t - 1) * batch + b) * hidden + j] : 0
          let tc = Elementwise.tanh(c)
          let dhTotal = g[(b * geo.steps + t) * hidden + j] + dh[b * hidden + j]
          let dcTotal = dc[b * hidden + j] + dhTotal * o * (1 - tc * tc)
          d[j] = dcTotal * gg * i * (1 - i)
          d[hidden + j] = dcTotal * previous * f * (1 - f)
          d[2 * hidden + j] = dcTotal * i * (1 - gg * gg)
          d[3 * hidden + j] = dhTotal * tc * o * (1 - o)
          dc[b * hidden + j] = dcTotal * f
        }
      }
      geo.accumulateParameterGradients(
        dih: dgates, dhh: dgates, x: x, h: h, step: t, parts: parts, pool: pool)
      geo.inputGradient(dih: dgates, wih, dx: dx, step: t, pool: pool)
      geo.hiddenGradient(dhh: dgates, whh, dh: dh, beta: 0, pool: pool)
    }
  }
}
