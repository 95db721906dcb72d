// Reference (Double) forward math of the recurrent layers rnn, lstm (gate rows i, f, g, o)
// and gru (gate rows r, z, n), step by step per example, h₀ = c₀ = 0.
// B = batch, T = steps, I = inputs, H = hidden, G = gates; x [B, T, I] → h [B, T, H].

extension ReferencePass {
  /// The sizes and values shared by the three recurrent layers.
  struct RecurrentInputs {
    var x, wih, whh, bih, bhh: [Double]
    var batch, steps, inputs, hidden: Int

    func affine(
      _ w: [Double], _ bias: [Double], _ v: [Double], offset: Int, columns: Int
    ) -> [Double] {
      ReferencePass.affine(w, bias, v, offset: offset, columns: columns)
    }

    /// W_ih·x[b, t] + b_ih, every row.
    func inputSide(b: Int, t: Int) -> [Double] {
      affine(wih, bih, x, offset: (b * steps + t) * inputs, columns: inputs)
    }
    /// W_hh·h + b_hh for the previous hidden state `h` [H], every row.
    func hiddenSide(_ h: [Double]) -> [Double] {
      affine(whh, bhh, h, offset: 0, columns: hidden)
    }
  }

  /// out[r] = bias[r] + Σ_k w[r, k]·v[offset + k] for every row r of w [rows, columns].
  static func affine(
    _ w: [Double], _ bias: [Double], _ v: [Double], offset: Int, columns: Int
  ) -> [Double] {
    var out = bias
    w.withUnsafeBufferPointer { pw in
      v.withUnsafeBufferPointer { pv in
        out.withUnsafeMutableBufferPointer { po in
          for r in 0..<po.count {
            var sum = po[r]
            let row = r * columns
            for k in 0..<columns { sum += pw[row + k] * pv[offset + k] }
            po[r] = sum
          }
        }
      }
    }
    return out
  }

  func recurrentInputs(_ node: Node) -> RecurrentInputs {
    let shape = inputNode(node, 0).shape
    return RecurrentInputs(
      x: input(node, 0), wih: input(node, 1), whh: input(node, 2), bih: input(node, 3),
      bhh: input(node, 4), batch: examples(node), steps: shape[0], inputs: shape[1],
      hidden: node.shape[1])
  }

  /// h_t = tanh(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh).
  func rnn(_ node: Node) -> [Double] {
    let r = recurrentInputs(node)
    var y = [Double](repeating: 0, count: r.batch * r.steps * r.hidden)
    for b in 0..<r.batch {
      var h = [Double](repeating: 0, count: r.hidden)
      for t in 0..<r.steps {
        let gi = r.inputSide(b: b, t: t), gh = r.hiddenSide(h)
        h = (0..<r.hidden).map { j in ReferenceMath.tanh(gi[j] + gh[j]) }
        for j in 0..<r.hidden { y[(b * r.steps + t) * r.hidden + j] = h[j] }
      }
    }
    return y
  }

  /// i, f, o = σ(·), g = tanh(·) of W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh (rows i, f, g, o);
  /// c_t = f·c_{t−1} + i·g, h_t = o·tanh(c_t).
  func lstm(_ node: Node) -> [Double] {
    let r = recurrentInputs(node)
    let hidden = r.hidden
    var y = [Double](repeating: 0, count: r.batch * r.steps * hidden)
    for b in 0..<r.batch {
      var h = [Double](repeating: 0, count: hidden)
      var c = [Double](repeating: 0, count: hidden)
      for t in 0..<r.steps {
        let gi = r.inputSide(b: b, t: t), gh = r.hiddenSide(h)
        let pre = zip(gi, gh).map { $0 + $1 }
        for j in 0..<hidden {
          let i = ReferenceMath.sigmoid(pre[j])
          let f = ReferenceMath.sigmoid(pre[hidden + j])
          let g = ReferenceMath.tanh(pre[2 * hidden + j])
          let o = ReferenceMath.sigmoid(pre[3 * hidden + j])
          c[j] = f * c[j] + i * g
          h[j] = o * ReferenceMath.tanh(c[j])
          y[(b * r.steps + t) * hidden + j] = h[j]
        }
      }
    }
    return y
  }

  /// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
  /// n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h_t = (1 − z)·n + z·h_{t−1}.
  func gru(_ node: Node) -> [Double] {
    let r = recurrentInputs(node)
    let hidden = r.hidden
    var y = [Double](repeating: 0, count: r.batch * r.steps * hidden)
    for b in 0..<r.batch {
      var h = [Double](repeating: 0, count: hidden)
      for t in 0..<r.steps {
        let gi = r.inputSide(b: b, t: t), gh = r.hiddenSide(h)
        var next = h
        for j in 0..<hidden {
          let reset = ReferenceMath.sigmoid(gi[j] + gh[j])
          let update = ReferenceMath.sigmoid(gi[hidden + j] + gh[hidden + j])
          let candidate = ReferenceMath.tanh(gi[2 * hidden + j] + reset * gh[2 * hidden + j])
          next[j] = (1 - update) * candidate + update * h[j]
          y[(b * r.steps + t) * hidden + j] = next[j]
        }
        h = next
      }
    }
    return y
  }
}
