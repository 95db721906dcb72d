// FastKernelTests: the executor's fast kernels (Pointwise, FastDense, FastConv, FastLSTM)
// against the simple reference kernels they replace (Elementwise, Dense, Conv2D, LSTM), on
// random data with odd sizes so SIMD tails and padding edges are exercised.

import Foundation
import NetLangTensor
import Testing

@testable import NetLangGraph

/// `count` uniform values in [low, high), from a fixed seed.
private func randomValues(_ count: Int, seed: UInt64, _ low: Double = -2, _ high: Double = 2)
  -> [Float]
{
  var random = Random(seed: seed)
  return (0..<count).map { _ in Float(random.uniform(low, high)) }
}

/// Largest |a − b| / (1 + |b|).
private func worstError(_ a: [Float], _ b: [Float]) -> Float {
  zip(a, b).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? 0
}

@Test("SIMD pointwise kernels equal the scalar reference loops bit for bit")
func pointwiseMatchesScalar() {
  for n in [1, 7, 8, 19, 64] {
    var x = randomValues(n, seed: UInt64(n))
    if n > 3 { x[1] = 0; x[2] = .nan }
    let g = randomValues(n, seed: UInt64(n) + 100)
    let y = randomValues(n, seed: UInt64(n) + 200, 0, 1)
    var fast = [Float](repeating: 0, count: n)
    var slow = [Float](repeating: 0, count: n)
    func same(_ name: String) {
      let equal = zip(fast, slow).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
      #expect(equal, "\(name) n=\(n)")
    }
    Pointwise.relu(x, &fast, count: n)
    Elementwise.reluForward(x, &slow, n)
    same("relu")
    Pointwise.reluBackward(x, g, &fast, count: n)
    Elementwise.reluBackward(x, g, &slow, n)
    same("reluBackward")
    Pointwise.leakyRelu(x, slope: 0.1, &fast, count: n)
    Elementwise.leakyReluForward(x, 0.1, &slow, n)
    same("leakyRelu")
    Pointwise.leakyReluBackward(x, slope: 0.1, g, &fast, count: n)
    Elementwise.leakyReluBackward(x, 0.1, g, &slow, n)
    same("leakyReluBackward")
    Pointwise.tanhBackward(y, g, &fast, count: n)
    Elementwise.tanhBackward(y, g, &slow, n)
    same("tanhBackward")
    Pointwise.sigmoidBackward(y, g, &fast, count: n)
    Elementwise.sigmoidBackward(y, g, &slow, n)
    same("sigmoidBackward")
    Pointwise.scale(x, by: -1.5, &fast, count: n)
    Elementwise.scale(x, -1.5, &slow, n)
    same("scale")
  }
}

@Test("column sums and the SIMD SGD step match their scalar formulas")
func sumRowsAndSGD() {
  // 11 columns: the 8-lane loop and a tail; 75: the 32-column blocks, 8 lanes and a tail.
  for (rows, columns) in [(5, 11), (7, 75)] {
    let x = randomValues(rows * columns, seed: 3)
    var sums = [Float](repeating: 0, count: columns)
    Pointwise.sumRows(x, rows: rows, columns: columns, into: &sums)
    for c in 0..<columns {
      var total: Float = 0
      for r in 0..<rows { total += x[r * columns + c] }
      #expect(sums[c] == total)
    }
  }
  // Two steps of p −= lr·v, v = mu·v + g (+ decay·p), against the scalar recurrence.
  let n = 13
  var p = randomValues(n, seed: 4), v = [Float](repeating: 0, count: n)
  var pRef = p, vRef = v
  let gradient = randomValues(n, seed: 5)
  for first in [true, false] {
    Pointwise.sgdMomentum(
      &p, gradient, &v, count: n, learningRate: 0.1, momentum: 0.9, keep: 1, weightDecay: 0.01,
      firstStep: first, nesterov: false)
    for i in 0..<n {
      let g = gradient[i] + 0.01 * pRef[i]
      vRef[i] = first ? g : vRef[i] * 0.9 + 1 * g
      pRef[i] = pRef[i] + -0.1 * vRef[i]
    }
  }
  #expect(p == pRef)
  #expect(v == vRef)
}

@Test("every instruction set's SGD-momentum step gives the scalar recurrence's bits")
func sgdMomentumEveryImplementation() {
  // 37 = two 16-lane vectors and a tail of 5; every combination of the step's options.
  let n = 37
  let gradient = randomValues(n, seed: 7)
  for implementation in VectorMath.Implementation.available {
    for (decay, nesterov) in [(Float(0), false), (0, true), (0.01, false), (0.01, true)] {
      var p = randomValues(n, seed: 8), v = [Float](repeating: 0, count: n)
      var pRef = p, vRef = v
      for first in [true, false, false] {
        Pointwise.sgdMomentum(
          &p, gradient, &v, count: n, learningRate: 0.1, momentum: 0.9, keep: 0.8,
          weightDecay: decay, firstStep: first, nesterov: nesterov, using: implementation)
        for i in 0..<n {
          var g = gradient[i] + decay * pRef[i]
          if decay == 0 { g = gradient[i] }
          vRef[i] = first ? g : vRef[i] * 0.9 + 0.8 * g
          let step = nesterov ? g + 0.9 * vRef[i] : vRef[i]
          pRef[i] = pRef[i] + -0.1 * step
        }
      }
      let label = "\(implementation) decay \(decay) nesterov \(nesterov)"
      #expect(p.map(\.bitPattern) == pRef.map(\.bitPattern), "\(label)")
      #expect(v.map(\.bitPattern) == vRef.map(\.bitPattern), "\(label)")
    }
  }
}

@Test("the SIMD Adam step equals torch's scalar formula bit for bit", arguments: [0.1, 0.7])
func simdAdamMatchesScalar(weight: Float) {
  let n = 21  // two vectors and a tail of 5
  var p = randomValues(n, seed: 40), m = randomValues(n, seed: 41)
  var v = randomValues(n, seed: 42).map { $0 * $0 }
  var pRef = p, mRef = m, vRef = v
  let gradient = randomValues(n, seed: 43)
  let (stepSize, root, beta2, epsilon, decay): (Float, Float, Float, Float, Float) =
    (0.01, 0.3, 0.999, 1e-8, 0.02)
  for _ in 0..<2 {
    Pointwise.adam(
      &p, gradient, &m, &v, count: n, stepSize: stepSize, correction2Root: root,
      weight: weight, beta2: beta2, oneMinusBeta2: 1 - beta2, epsilon: epsilon,
      weightDecay: decay)
    for i in 0..<n {
      let g = gradient[i] + decay * pRef[i]
      mRef[i] =
        weight < 0.5
        ? mRef[i] + weight * (g - mRef[i]) : g - (g - mRef[i]) * (1 - weight)
      vRef[i] = vRef[i] * beta2 + (1 - beta2) * (g * g)
      pRef[i] = pRef[i] + -stepSize * (mRef[i] / (vRef[i].squareRoot() / root + epsilon))
    }
  }
  #expect(p == pRef)
  #expect(m == mRef)
  #expect(v == vRef)
}

@Test("dense with the bias folded into Gemm equals Gemm then bias add")
func fastDenseMatchesReference() {
  let rows = 9, inputs = 13, outputs = 7
  let x = randomValues(rows * inputs, seed: 6)
  let w = randomValues(outputs * inputs, seed: 7)
  let b = randomValues(outputs, seed: 8)
  var fast = [Float](repeating: .nan, count: rows * outputs)
  var slow = [Float](repeating: 0, count: rows * outputs)
  FastDense.forward(x, w, b, &fast, rows: rows, inputs: inputs, outputs: outputs, pool: nil)
  Dense.forward(x, w, b, &slow, rows: rows, inputs: inputs, outputs: outputs, pool: nil)
  #expect(worstError(fast, slow) < 1e-6)
}

/// Convolutions for the fast-path tests: input [C, H, W], filters, window. Stride 1 with a
/// small patch goes the direct way (DirectConv), the rest through im2col and Gemm.
private let convolutionCases: [(input: [Int], filters: Int, window: Window2D)] = [
  ([2, 7, 8], 4, Window2D(kernel: (5, 5), padding: (2, 2))),
  ([2, 7, 8], 4, Window2D(kernel: (3, 2), stride: (2, 1), padding: (1, 0))),
  ([2, 7, 8], 4, Window2D(kernel: (3, 3), stride: (2, 3), padding: (2, 1))),
  ([1, 9, 19], 6, Window2D(kernel: (5, 5), padding: (2, 2))),
  ([6, 7, 7], 16, Window2D(kernel: (5, 5))),
  ([9, 5, 6], 9, Window2D(kernel: (3, 3), padding: (1, 1))),
  ([3, 4, 18], 2, Window2D(kernel: (2, 4), padding: (1, 3))),
  ([12, 6, 6], 3, Window2D(kernel: (5, 5), padding: (1, 1))),
]

@Test(
  "batched convolution (direct or im2col) matches the per-example reference, forward and backward",
  arguments: convolutionCases.indices)
func fastConvMatchesReference(index: Int) {
  let batch = 3
  let (input, filters, window) = convolutionCases[index]
  let geo = ConvGeometry(input: Shape(input), filters: filters, window: window)
  #expect(DirectConv.handles(geo) == (window.strideHeight == 1 && geo.patch <= 256))
  let x = randomValues(batch * geo.inputCount, seed: 9)
  let w = randomValues(geo.filters * geo.patch, seed: 10)
  let bias = randomValues(geo.filters, seed: 11)
  let outputCount = batch * geo.filters * geo.positions
  let g = randomValues(outputCount, seed: 12)
  var fastY = [Float](repeating: .nan, count: outputCount)
  var slowY = [Float](repeating: 0, count: outputCount)
  var workspace = [Float](repeating: .nan, count: FastConv.forwardCount(geo, batch: batch))
  var col = [Float](repeating: 0, count: 2 * geo.patch * geo.positions)
  FastConv.forward(x, w, bias, &fastY, workspace: &workspace, batch: batch, geo, pool: nil)
  Conv2D.forward(x, w, bias, &slowY, col: &col, batch: batch, geo, pool: nil)
  #expect(worstError(fastY, slowY) < 1e-5)
  // 40 examples (enough to split im2col by example across two threads): the same result.
  let many = 40
  let manyX = randomValues(many * geo.inputCount, seed: 21)
  var singleY = [Float](repeating: .nan, count: many * geo.filters * geo.positions)
  var pooledY = singleY
  var manyWorkspace = [Float](repeating: .nan, count: FastConv.forwardCount(geo, batch: many))
  FastConv.forward(
    manyX, w, bias, &singleY, workspace: &manyWorkspace, batch: many, geo, pool: nil)
  FastConv.forward(
    manyX, w, bias, &pooledY, workspace: &manyWorkspace, batch: many, geo,
    pool: WorkerPool(threads: 2))
  #expect(pooledY == singleY)
  // The backward pass split across two threads: the same bits as on one.
  let manyG = randomValues(many * geo.filters * geo.positions, seed: 22)
  var manyScratch = [Float](repeating: .nan, count: FastConv.backwardCount(geo, batch: many))
  func manyBackward(_ pool: WorkerPool?, inputGradient: Bool = true) -> [Float] {
    var dx = [Float](repeating: .nan, count: manyX.count)
    var dw = [Float](repeating: .nan, count: w.count), db = [Float](repeating: .nan, count: filters)
    if inputGradient {
      FastConv.backward(
        manyX, w, manyG, dx: &dx, dWeight: &dw, dBias: &db, scratch: &manyScratch, batch: many,
        geo, pool: pool)
    } else {
      FastConv.backward(
        manyX, w, manyG, dx: nil, dWeight: &dw, dBias: &db, scratch: &manyScratch, batch: many,
        geo, pool: pool)
    }
    return dx + dw + db
  }
  #expect(manyBackward(WorkerPool(threads: 2)) == manyBackward(nil))
  // Without the input gradient (dx stays NaN): dW and db alike.
  let withoutDx = manyBackward(WorkerPool(threads: 2), inputGradient: false)
  let serialWithoutDx = manyBackward(nil, inputGradient: false)
  let sameWithoutDx = withoutDx.map(\.bitPattern) == serialWithoutDx.map(\.bitPattern)
  #expect(sameWithoutDx)
  let gradientsFilled = !withoutDx[manyX.count...].contains { $0.isNaN }
  #expect(gradientsFilled)

  var fastDx = [Float](repeating: .nan, count: x.count)
  var slowDx = [Float](repeating: 0, count: x.count)
  var fastDw = [Float](repeating: .nan, count: w.count), slowDw = fastDw
  var fastDb = [Float](repeating: .nan, count: geo.filters), slowDb = fastDb
  var scratch = [Float](repeating: .nan, count: FastConv.backwardCount(geo, batch: batch))
  FastConv.backward(
    x, w, g, dx: &fastDx, dWeight: &fastDw, dBias: &fastDb, scratch: &scratch, batch: batch,
    geo, pool: nil)
  col.withUnsafeMutableBufferPointer { buffer in
    guard let base = buffer.baseAddress else { return }
    Conv2D.backward(
      x, w, g, dx: &slowDx, dWeight: &slowDw, dBias: &slowDb, col: base,
      dcol: base + geo.patch * geo.positions, batch: batch, geo, pool: nil)
  }
  #expect(worstError(fastDx, slowDx) < 1e-5)
  #expect(worstError(fastDw, slowDw) < 1e-5)
  #expect(worstError(fastDb, slowDb) < 1e-5)

  // Reusing the forward pass's columns, without the input gradient: the same dW and db.
  var reusedDw = [Float](repeating: .nan, count: w.count), reusedDb = fastDb
  scratch = [Float](repeating: .nan, count: scratch.count)
  FastConv.backward(
    x, w, g, dx: nil, dWeight: &reusedDw, dBias: &reusedDb, scratch: &scratch,
    columns: workspace, batch: batch, geo, pool: nil)
  #expect(reusedDw == fastDw)
  #expect(reusedDb == fastDb)
}

@Test("the LSTM with whole-sequence Gemms matches the step-by-step reference")
func fastLSTMMatchesReference() {
  for (batch, steps, inputs, hidden) in [(3, 5, 4, 8), (2, 4, 3, 5), (1, 1, 2, 3), (2, 3, 4, 13)] {
    let geo = RecurrentGeometry(
      batch: batch, steps: steps, inputs: inputs, hidden: hidden, gates: 4)
    let rows = 4 * hidden
    let x = randomValues(batch * steps * inputs, seed: 13)
    let wih = randomValues(rows * inputs, seed: 14, -0.5, 0.5)
    let whh = randomValues(rows * hidden, seed: 15, -0.5, 0.5)
    let bih = randomValues(rows, seed: 16, -0.5, 0.5)
    let bhh = randomValues(rows, seed: 17, -0.5, 0.5)
    let g = randomValues(batch * steps * hidden, seed: 18)
    let hCount = batch * steps * hidden
    var fastH = [Float](repeating: .nan, count: hCount), slowH = fastH
    var fastSaved = [Float](
      repeating: .nan, count: FastLSTM.forwardCount(batch: batch, steps: steps, hidden: hidden))
    var slowSaved = [Float](repeating: .nan, count: batch * steps * 5 * hidden)
    FastLSTM.forward(x, wih, whh, bih, bhh, &fastH, saved: &fastSaved, geo, pool: nil)
    LSTM.forward(x, wih, whh, bih, bhh, &slowH, saved: &slowSaved, geo, pool: nil)
    #expect(worstError(fastH, slowH) < 1e-5)

    let partCount = rows * (inputs + hidden + 2)
    var fastParts = [Float](
      repeating: .nan,
      count: partCount
        + FastLSTM.backwardScratch(
          batch: batch, steps: steps, inputs: inputs, hidden: hidden))
    var slowParts = [Float](
      repeating: .nan, count: partCount + batch * (2 * rows + 4 * hidden))
    var fastDx = [Float](repeating: .nan, count: x.count), slowDx = fastDx
    fastParts.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      FastLSTM.backward(
        x, fastH, saved: fastSaved, wih, whh, g, dx: &fastDx, parts: RecurrentParts(base, geo),
        geo, pool: nil)
    }
    slowParts.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      LSTM.backward(
        x, slowH, saved: slowSaved, wih, whh, g, dx: &slowDx, parts: RecurrentParts(base, geo),
        geo, pool: nil)
    }
    #expect(worstError(fastDx, slowDx) < 1e-5)
    #expect(worstError(Array(fastParts[..<partCount]), Array(slowParts[..<partCount])) < 1e-5)
  }
}

@Test(
  "2×2 max pooling matches the reference kernel, ties and NaN included",
  arguments: [(7, 6), (5, 21), (16, 34), (6, 10), (4, 9), (3, 15), (4, 16), (28, 28)])
func fastPoolMatchesReference(height: Int, width: Int) {
  // Windows per row: 3 (all scalar), 10 and 17 (blocks of eight, the last overlapping), 5, 4
  // and 7 (blocks of four), 8 and 14 (LeNet's first pool); odd widths and heights.
  let planes = 3
  var x = randomValues(planes * height * width, seed: 19)
  x[0] = 1; x[1] = 1; x[width] = 1; x[width + 1] = 1  // a window of ties: the first wins
  x[2] = 0.5; x[3] = 2; x[width + 2] = 2; x[width + 3] = 2  // ties after a smaller first
  x[9] = .nan
  x[width + 4] = .nan
  x[2 * width + 1] = .infinity
  // The same in the last window of the first row of windows (in the tail).
  let last = (width / 2 - 1) * 2
  x[last] = 0.5; x[last + 1] = 3; x[width + last] = 3; x[width + last + 1] = -1
  x[2 * width + last + 1] = .nan
  let window = Window2D(kernel: (2, 2), stride: (2, 2))
  #expect(FastPool.handles(window))
  #expect(!FastPool.handles(Window2D(kernel: (2, 2), stride: (1, 1))))
  let outputCount = planes * (height / 2) * (width / 2)
  var fast = [Float](repeating: 0, count: outputCount), slow = fast
  FastPool.maxForward(x, &fast, planes: planes, height: height, width: width)
  Pooling.maxForward(x, &slow, planes: planes, height: height, width: width, window)
  #expect(zip(fast, slow).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
  let g = randomValues(outputCount, seed: 20)
  var fastDx = [Float](repeating: .nan, count: x.count), slowDx = fastDx
  FastPool.maxBackward(x, g, &fastDx, planes: planes, height: height, width: width)
  Pooling.maxBackward(x, g, &slowDx, planes: planes, height: height, width: width, window)
  #expect(fastDx == slowDx)
}

@Test("2×2 max pooling split across a pool equals the serial kernel")
func fastPoolSplitsAcrossPool() {
  let planes = 2001, height = 6, width = 7
  let x = randomValues(planes * height * width, seed: 23)
  let g = randomValues(planes * (height / 2) * (width / 2), seed: 24)
  let pool = WorkerPool(threads: 2)
  var serial = [Float](repeating: .nan, count: g.count), split = serial
  FastPool.maxForward(x, &serial, planes: planes, height: height, width: width)
  FastPool.maxForward(x, &split, planes: planes, height: height, width: width, pool: pool)
  #expect(serial == split)
  var serialDx = [Float](repeating: .nan, count: x.count), splitDx = serialDx
  FastPool.maxBackward(x, g, &serialDx, planes: planes, height: height, width: width)
  FastPool.maxBackward(x, g, &splitDx, planes: planes, height: height, width: width, pool: pool)
  #expect(serialDx == splitDx)
  #expect(!serialDx.contains { $0.isNaN })
}

@Test("softmax cross-entropy on vector exp matches the reference, and rejects bad labels")
func fastCrossEntropyMatchesReference() {
  for classes in [1, 3, 10, 65, 300] {
    let rows = 7
    let x = randomValues(rows * classes, seed: UInt64(classes), -5, 5)
    var random = Random(seed: 22)
    let labels = (0..<rows).map { _ in Float(random.nextInt(below: classes)) }
    let fast = FastSoftmax.crossEntropyForward(x, labels, rows: rows, classes: classes)
    let slow = Softmax.crossEntropyForward(x, labels, rows: rows, classes: classes)
    #expect(fast != nil && slow != nil)
    #expect(abs((fast ?? 0) - (slow ?? 1)) < 1e-5)
    var fastDx = [Float](repeating: .nan, count: x.count), slowDx = fastDx
    #expect(FastSoftmax.crossEntropyBackward(x, labels, 0.5, &fastDx, rows: rows, classes: classes))
    #expect(Softmax.crossEntropyBackward(x, labels, 0.5, &slowDx, rows: rows, classes: classes))
    #expect(worstError(fastDx, slowDx) < 1e-6)
    var bad = labels
    bad[3] = Float(classes)
    #expect(FastSoftmax.crossEntropyForward(x, bad, rows: rows, classes: classes) == nil)
    #expect(!FastSoftmax.crossEntropyBackward(x, bad, 1, &fastDx, rows: rows, classes: classes))
  }
}

@Test("softmax cross-entropy and accuracy split by rows across a pool have the serial bits")
func fastCrossEntropySplitsAcrossPool() {
  // 1,024 rows of 65 (the lstm benchmark's logits): two parts on two threads.
  let (rows, classes) = (1024, 65)
  let x = randomValues(rows * classes, seed: 8, -6, 6)
  var random = Random(seed: 23)
  let labels = (0..<rows).map { _ in Float(random.nextInt(below: classes)) }
  let pool = WorkerPool(threads: 2)
  var losses = [Float](repeating: .nan, count: rows)
  let serial = FastSoftmax.crossEntropyForward(x, labels, rows: rows, classes: classes)
  let split = FastSoftmax.crossEntropyForward(
    x, labels, rows: rows, classes: classes, losses: &losses, pool: pool)
  #expect(serial != nil && serial?.bitPattern == split?.bitPattern)
  #expect(!losses.contains { $0.isNaN })
  var serialDx = [Float](repeating: .nan, count: x.count), splitDx = serialDx
  #expect(FastSoftmax.crossEntropyBackward(x, labels, 0.5, &serialDx, rows: rows, classes: classes))
  #expect(
    FastSoftmax.crossEntropyBackward(
      x, labels, 0.5, &splitDx, rows: rows, classes: classes, pool: pool))
  #expect(serialDx.map(\.bitPattern) == splitDx.map(\.bitPattern))
  // Accuracy: the first 300 labels moved to their row's largest logit, counted by hand.
  var hits = labels
  for r in 0..<300 {
    let row = x[(r * classes)..<((r + 1) * classes)]
    hits[r] = Float(row.indices.max { row[$0] < row[$1] }! - r * classes)
  }
  let expected = (0..<rows).filter { r in
    let row = x[(r * classes)..<((r + 1) * classes)]
    return Float(row.indices.max { row[$0] < row[$1] }! - r * classes) == hits[r]
  }.count
  #expect(expected >= 300)
  let accuracy = FastSoftmax.accuracy(x, hits, rows: rows, classes: classes, pool: pool)
  #expect(accuracy == Float(expected) / Float(rows))
  var bad = labels
  bad[900] = -1
  #expect(
    FastSoftmax.crossEntropyForward(
      x, bad, rows: rows, classes: classes, losses: &losses, pool: pool) == nil)
  #expect(
    !FastSoftmax.crossEntropyBackward(x, bad, 1, &splitDx, rows: rows, classes: classes, pool: pool)
  )
}

@Test("the LSTM split by batch rows across a pool equals the serial kernel bit for bit")
func fastLSTMSplitsAcrossPool() {
  let (batch, steps, inputs, hidden) = (16, 11, 5, 100)  // 176 rows: bias sums split too
  #expect(batch * 4 * hidden * hidden >= FastLSTM.minimumStepWork)
  let geo = RecurrentGeometry(batch: batch, steps: steps, inputs: inputs, hidden: hidden, gates: 4)
  let rows = 4 * hidden
  let x = randomValues(batch * steps * inputs, seed: 31)
  let wih = randomValues(rows * inputs, seed: 32, -0.3, 0.3)
  let whh = randomValues(rows * hidden, seed: 33, -0.3, 0.3)
  let bih = randomValues(rows, seed: 34), bhh = randomValues(rows, seed: 35)
  let g = randomValues(batch * steps * hidden, seed: 36)
  let pool = WorkerPool(threads: 2)
  var results: [[Float]] = []
  for chosen in [nil, pool] {
    var h = [Float](repeating: .nan, count: batch * steps * hidden)
    var saved = [Float](
      repeating: .nan, count: FastLSTM.forwardCount(batch: batch, steps: steps, hidden: hidden))
    FastLSTM.forward(x, wih, whh, bih, bhh, &h, saved: &saved, geo, pool: chosen)
    let partCount = rows * (inputs + hidden + 2)
    var parts = [Float](
      repeating: .nan,
      count: partCount
        + FastLSTM.backwardScratch(
          batch: batch, steps: steps, inputs: inputs, hidden: hidden))
    var dx = [Float](repeating: .nan, count: x.count)
    parts.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      FastLSTM.backward(
        x, h, saved: saved, wih, whh, g, dx: &dx, parts: RecurrentParts(base, geo), geo,
        pool: chosen)
    }
    results.append(h + dx + parts[..<partCount])
  }
  #expect(results[0] == results[1])
  #expect(!results[0].contains { $0.isNaN })
}

@Test("bce from logits over many blocks matches a Double loop of the stable formula")
func bceWithLogitsMatchesDouble() {
  // 1,003 values: three full 256-blocks of four-lane sums, a short block and a tail of 3.
  let count = 1_003
  let z = randomValues(count, seed: 41, -30, 30)
  let t = randomValues(count, seed: 42, 0, 1)
  var expected = 0.0
  for i in 0..<count {
    let x = Double(z[i])
    expected += max(x, 0) - x * Double(t[i]) + Foundation.log(1 + Foundation.exp(-abs(x)))
  }
  expected /= Double(count)
  let loss = Losses.bceWithLogitsForward(z, t, count: count)
  #expect(abs(Double(loss) - expected) <= 1e-6 * abs(expected))
}

@Test("bce from logits with its terms split across a pool has the serial bits")
func bceWithLogitsSplitsAcrossPool() {
  // 78,403 values (the autoencoder's 100 x 784, and a tail of 3): two parts on two threads.
  let count = 78_403
  let z = randomValues(count, seed: 43, -30, 30)
  let t = randomValues(count, seed: 44, 0, 1)
  var terms = [Float](repeating: .nan, count: count)
  let serial = Losses.bceWithLogitsForward(z, t, count: count)
  let split = Losses.bceWithLogitsForward(
    z, t, count: count, terms: &terms, pool: WorkerPool(threads: 2))
  #expect(serial.bitPattern == split.bitPattern)
  #expect(!terms.contains { $0.isNaN })
}

@Test(
  "batchnorm's vector kernels match the plain loops; a pool changes no bit",
  arguments: [(3, 6, 784), (2, 16, 100), (5, 4, 13), (7, 3, 1), (64, 6, 196)])
func batchNormMatchesReference(batch: Int, channels: Int, spatial: Int) {
  let count = batch * channels * spatial
  // Activations with a mean well away from zero (the two-pass variance must hold up).
  let x = randomValues(count, seed: 31, 3, 5)
  let gamma = randomValues(channels, seed: 32, 0.5, 1.5)
  let beta = randomValues(channels, seed: 33)
  let g = randomValues(count, seed: 34)
  let pool = WorkerPool(threads: 2)
  struct Result: Equatable {
    var y: [Float], saved: [Float], mean: [Float], variance: [Float]
    var dx: [Float], parts: [Float]
  }
  func run(_ kind: Int) -> Result {
    var r = Result(
      y: .init(repeating: .nan, count: count), saved: .init(repeating: 0, count: 2 * channels),
      mean: .init(repeating: 0.5, count: channels), variance: .init(repeating: 2, count: channels),
      dx: .init(repeating: .nan, count: count), parts: .init(repeating: 0, count: 2 * channels))
    r.parts.withUnsafeMutableBufferPointer { parts in
      let dGamma = parts.baseAddress!, dBeta = parts.baseAddress! + channels
      if kind == 0 {
        BatchNorm.referenceForward(
          x, gamma: gamma, beta: beta, runningMean: &r.mean, runningVariance: &r.variance, &r.y,
          saved: &r.saved, batch: batch, channels: channels, spatial: spatial, momentum: 0.1,
          epsilon: 1e-5, training: true)
        BatchNorm.referenceBackward(
          x, gamma: gamma, saved: r.saved, g, dx: &r.dx, dGamma: dGamma, dBeta: dBeta,
          batch: batch, channels: channels, spatial: spatial)
      } else {
        BatchNorm.forward(
          x, gamma: gamma, beta: beta, runningMean: &r.mean, runningVariance: &r.variance, &r.y,
          saved: &r.saved, batch: batch, channels: channels, spatial: spatial, momentum: 0.1,
          epsilon: 1e-5, training: true, pool: kind == 2 ? pool : nil)
        BatchNorm.backward(
          x, gamma: gamma, saved: r.saved, g, dx: &r.dx, dGamma: dGamma, dBeta: dBeta,
          batch: batch, channels: channels, spatial: spatial, pool: kind == 2 ? pool : nil)
      }
    }
    return r
  }
  let reference = run(0), fast = run(1), pooled = run(2)
  #expect(fast == pooled)
  #expect(worstError(fast.y, reference.y) < 1e-4)
  #expect(worstError(fast.saved, reference.saved) < 1e-4)
  #expect(worstError(fast.mean, reference.mean) < 1e-5)
  #expect(worstError(fast.variance, reference.variance) < 1e-4)
  #expect(worstError(fast.dx, reference.dx) < 1e-4)
  #expect(worstError(fast.parts, reference.parts) < 1e-3)
}

@Test("the direct path's row runs leave out exactly the kernel rows that read only padding")
func directConvRowRuns() {
  func runs(rows: Int, kernelHeight: Int, data: Range<Int>) -> [[Int]] {
    var found: [[Int]] = []
    DirectConv.forEachRowRun(rows: rows, kernelHeight: kernelHeight, data: data) {
      found.append([$0, $1, $2.lowerBound, $2.upperBound])
    }
    return found
  }
  // LeNet's 6→16 input gradient: 14 rows from an 18-row plane whose rows 4..<14 hold data.
  #expect(
    runs(rows: 14, kernelHeight: 5, data: 4..<14) == [
      [0, 1, 4, 5], [1, 1, 3, 5], [2, 1, 2, 5], [3, 1, 1, 5], [4, 6, 0, 5], [10, 1, 0, 4],
      [11, 1, 0, 3], [12, 1, 0, 2], [13, 1, 0, 1],
    ])
  // No padding: one run of every row over every kernel row.
  #expect(runs(rows: 10, kernelHeight: 5, data: 0..<14) == [[0, 10, 0, 5]])
  // Rows that reach no data get an empty range (and so zeros).
  #expect(runs(rows: 4, kernelHeight: 2, data: 0..<1) == [[0, 1, 0, 1], [1, 3, 0, 0]])
}
