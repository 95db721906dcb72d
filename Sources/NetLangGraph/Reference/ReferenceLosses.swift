// Reference (Double) forward math of the losses and the accuracy metric, each a scalar.
// B = batch, N = all elements of the prediction, R = rows of logits (batch·time), C = classes.

extension ReferencePass {
  /// ½ Σ (y − t)² / B.
  func mseLoss(_ node: Node) -> Double {
    let y = input(node, 0), t = input(node, 1)
    var total = 0.0
    for i in y.indices {
      let d = y[i] - t[i]
      total += 0.5 * d * d
    }
    return total / Double(batch)
  }

  /// Mean over rows of −log softmax(logits)[label], as logsumexp − logit[label].
  func softmaxCrossEntropy(_ id: NodeID, _ node: Node) throws(ReferenceError) -> Double {
    let x = input(node, 0), labels = input(node, 1)
    let classes = inputNode(node, 0).shape.dimensions.last ?? 1
    let rows = x.count / max(classes, 1)
    var total = 0.0
    for r in 0..<rows {
      guard let k = ReferenceMath.label(labels[r], classes: classes) else {
        throw .invalidIndex(node: id, value: labels[r])
      }
      let row = x[(r * classes)..<((r + 1) * classes)]
      let maximum = row.max() ?? 0
      var sum = 0.0
      for value in row { sum += ReferenceMath.exp(value - maximum) }
      total += ReferenceMath.log(sum) + maximum - x[r * classes + k]
    }
    return total / Double(max(rows, 1))
  }

  /// −mean(t·log p + (1 − t)·log(1 − p)), each log clamped at −100 (PyTorch BCELoss); whether
  /// each log was clamped is recorded as a kink decision.
  mutating func bceLoss(_ node: Node) -> Double {
    let p = input(node, 0), t = input(node, 1)
    var total = 0.0
    for i in p.indices {
      let rawP = ReferenceMath.log(p[i]), rawQ = ReferenceMath.log(1 - p[i])
      record(rawP < -100 ? 1 : 0)
      record(rawQ < -100 ? 1 : 0)
      total -= t[i] * max(rawP, -100) + (1 - t[i]) * max(rawQ, -100)
    }
    return total / Double(max(p.count, 1))
  }

  /// mean(max(z, 0) − z·t + log(1 + e^−|z|)): bce of sigmoid(z), stable for any z.
  func bceWithLogitsLoss(_ node: Node) -> Double {
    let z = input(node, 0), t = input(node, 1)
    var total = 0.0
    for i in z.indices {
      total += max(z[i], 0) - z[i] * t[i] + ReferenceMath.log1p(ReferenceMath.exp(-abs(z[i])))
    }
    return total / Double(max(z.count, 1))
  }

  /// Fraction of rows whose first argmax equals the label; one column predicts `score ≥ 0.5`.
  /// Invalid labels count as wrong.
  func accuracy(_ node: Node) -> Double {
    let x = input(node, 0), labels = input(node, 1)
    let classes = inputNode(node, 0).shape.dimensions.last ?? 1
    let rows = x.count / max(classes, 1)
    var correct = 0
    for r in 0..<rows {
      var predicted = 0
      if classes == 1 {
        predicted = x[r] >= 0.5 ? 1 : 0
      } else {
        for c in 1..<classes where x[r * classes + c] > x[r * classes + predicted] {
          predicted = c
        }
      }
      if labels[r] == Double(predicted) { correct += 1 }
    }
    return rows == 0 ? 0 : Double(correct) / Double(rows)
  }
}
