// SoftmaxTests: softmax and log-softmax rows against Double formulas (including huge logits
// that would overflow a naive version), and their backward passes against central differences.

import NetLangTensor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Double softmax (or log-softmax) of each row.
private func referenceRows(_ x: [Double], columns: Int, log: Bool) -> [Double] {
  var result: [Double] = []
  for start in stride(from: 0, to: x.count, by: columns) {
    let row = Array(x[start..<start + columns])
    let largest = row.max() ?? 0
    let total = row.reduce(0) { $0 + Glibc.exp($1 - largest) }
    result += row.map { log ? $0 - largest - Glibc.log(total) : Glibc.exp($0 - largest) / total }
  }
  return result
}

@Test("softmax and log-softmax rows match Double, even with logits near 1e4")
func softmaxForwardMatches() {
  let rows = 4
  let columns = 13
  var x = randomFloats(rows * columns, seed: 21).map { $0 * 5 }
  x[3] = 10_000
  x[20] = 9_990
  for log in [false, true] {
    var y = [Float](repeating: 0, count: x.count)
    if log {
      Softmax.logForward(x, &y, rows: rows, columns: columns)
    } else {
      Softmax.forward(x, &y, rows: rows, columns: columns)
    }
    let expected = referenceRows(x.map(Double.init), columns: columns, log: log).map(Float.init)
    #expect(maxAbsDifference(y, expected) < 1e-5, "log \(log)")
  }
  // Hand-computed: softmax of [0, ln 3] is [0.25, 0.75].
  var pair: [Float] = [0, Float(Glibc.log(3.0))]
  Softmax.forward(pair, &pair, rows: 1, columns: 2)
  #expect(abs(pair[0] - 0.25) < 1e-6 && abs(pair[1] - 0.75) < 1e-6)
}

@Test("softmax and log-softmax backward match central differences")
func softmaxBackwardMatches() {
  let rows = 3
  let columns = 9
  let x = randomFloats(rows * columns, seed: 31).map { $0 * 3 }
  let weights = randomFloats(rows * columns, seed: 32)
  for log in [false, true] {
    var y = [Float](repeating: 0, count: x.count)
    var gradient = [Float](repeating: 0, count: x.count)
    if log {
      Softmax.logForward(x, &y, rows: rows, columns: columns)
      Softmax.logBackward(
        output: y, gradOutput: weights, gradInput: &gradient, rows: rows, columns: columns)
    } else {
      Softmax.forward(x, &y, rows: rows, columns: columns)
      Softmax.backward(
        output: y, gradOutput: weights, gradInput: &gradient, rows: rows, columns: columns)
    }
    let expected = numericalGradient(
      of: { referenceRows($0, columns: columns, log: log) }, at: x, weights: weights)
    #expect(maxAbsDifference(gradient, expected) < 1e-4, "log \(log)")
  }
}

@Test("log-softmax backward on wide rows (several chunks), in place over dy and accumulating")
func logSoftmaxBackwardWideRows() {
  let rows = 2
  let columns = 600
  let x = randomFloats(rows * columns, seed: 41).map { $0 * 4 }
  let dy = randomFloats(rows * columns, seed: 42)
  var y = [Float](repeating: 0, count: x.count)
  Softmax.logForward(x, &y, rows: rows, columns: columns)
  var expected = [Float](repeating: 0, count: x.count)
  for r in 0..<rows {
    let range = r * columns..<(r + 1) * columns
    let total = dy[range].reduce(0.0) { $0 + Double($1) }
    for i in range { expected[i] = Float(Double(dy[i]) - Glibc.exp(Double(y[i])) * total) }
  }
  var inPlace = dy
  inPlace.withUnsafeMutableBufferPointer { buffer in
    guard let base = buffer.baseAddress else { return }
    Softmax.logBackward(
      output: y, gradOutput: base, gradInput: base, rows: rows, columns: columns)
  }
  #expect(maxAbsDifference(inPlace, expected) < 1e-5)
  var accumulated = dy
  Softmax.logBackward(
    output: y, gradOutput: dy, gradInput: &accumulated, rows: rows, columns: columns,
    accumulate: true)
  #expect(maxAbsDifference(accumulated, zip(dy, expected).map { $0 + $1 }) < 1e-5)
}

@Test("the eight-lane row maximum and sum agree with plain loops, NaN included")
func rowMaximumAndSum() {
  var random = Random(seed: 5)
  for count in 0..<21 {
    let x = (0..<count).map { _ in Float(random.uniform(-9, 9)) }
    #expect(Softmax.maximum(x, count) == (x.max() ?? -.infinity), "count \(count)")
    let exact = x.reduce(0.0) { $0 + Double($1) }
    #expect(abs(Double(Softmax.sum(x, count)) - exact) < 1e-4, "count \(count)")
    for position in 0..<count {
      var withNaN = x
      withNaN[position] = .nan
      #expect(Softmax.maximum(withNaN, count).isNaN, "NaN at \(position) of \(count)")
    }
  }
}
