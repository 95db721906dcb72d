// DirectConv: stride-1 conv2d without im2col, for layers whose patch is small (LeNet's
// 1→6 and 6→16 5×5 layers): each example's input is copied once into zero-padded planes, and
// DirectConvolution's kernels sum the taps straight from them, eight filters at a time, in
// rows of 16-float vectors. The input gradient is the same correlation of the padded output
// gradient with the flipped, transposed weights; the weight gradient keeps 16 partial sums
// per weight for each of two halves of the batch and adds them up at the end. Kernel rows
// that would read only padding rows (at the top and bottom of the planes) are left out.
// B = batch, C = channels, F = filters, K = C·KH·KW taps, (ph, pw) = padding; a row of
// outputs is padded to a whole number of vectors (OW → OWr, W → Wr).

import NetLangTensor

struct DirectConv {
  let geo: ConvGeometry
  let batch: Int

  /// The direct path for `geo`, or nil when it is not one (see `handles`).
  init?(_ geo: ConvGeometry, batch: Int) {
    guard Self.handles(geo) else { return nil }
    self.geo = geo
    self.batch = batch
  }

  /// Patches (C·KH·KW) up to this many taps go the direct way: beyond it, the Gemm on im2col
  /// columns wins.
  static let maximumPatch = 256

  /// Stride 1 and padding within the kernel (the input gradient is then a correlation of the
  /// padded output gradient), and a small patch.
  static func handles(_ geo: ConvGeometry) -> Bool {
    let w = geo.window
    return w.strideHeight == 1 && w.strideWidth == 1 && w.paddingHeight < w.kernelHeight
      && w.paddingWidth < w.kernelWidth && geo.patch <= maximumPatch
      && geo.outputHeight > 0 && geo.outputWidth > 0
  }

  /// Filters (or, for the input gradient, channels) per kernel call.
  static let group = DirectConvolution.filters
  /// Floats per row vector of the kernels.
  static let lanes = 16
  static func roundUp(_ n: Int, _ multiple: Int) -> Int { (n + multiple - 1) / multiple * multiple }

  var kh: Int { geo.window.kernelHeight }
  var kw: Int { geo.window.kernelWidth }
  var oh: Int { geo.outputHeight }
  var ow: Int { geo.outputWidth }
  /// Output and input rows rounded up to whole vectors.
  var owr: Int { Self.roundUp(ow, Self.lanes) }
  var wr: Int { Self.roundUp(geo.width, Self.lanes) }
  /// Filters and channels in whole kernel calls, and rounded up to them.
  var filterBlocks: Int { (geo.filters + Self.group - 1) / Self.group }
  var channelBlocks: Int { (geo.channels + Self.group - 1) / Self.group }
  var paddedFilters: Int { filterBlocks * Self.group }
  var paddedChannels: Int { channelBlocks * Self.group }
  var taps: Int { geo.patch }

  /// The padded input planes: OH + KH − 1 rows of OWr + KW − 1.
  var inputRows: Int { oh + kh - 1 }
  var inputRowStride: Int { owr + kw - 1 }
  var inputPlane: Int { inputRows * inputRowStride }
  var inputCount: Int { batch * geo.channels * inputPlane }

  /// The padded output gradient planes (for the input gradient's full correlation):
  /// H + KH − 1 rows of max(Wr, OWr) + KW − 1, the data at (KH − 1 − ph, KW − 1 − pw).
  var gradientRows: Int { geo.height + kh - 1 }
  var gradientRowStride: Int { max(wr, owr) + kw - 1 }
  var gradientPlane: Int { gradientRows * gradientRowStride }
  /// One example's padded output-gradient planes, one per padded filter.
  var gradientCount: Int { paddedFilters * gradientPlane }
  var gradientOffset: Int {
    (kh - 1 - geo.window.paddingHeight) * gradientRowStride + (kw - 1 - geo.window.paddingWidth)
  }

  /// Forward workspace: padded inputs (kept for the backward pass), packed weights, and each
  /// example's output planes before the bias.
  var forwardCount: Int {
    inputCount + paddedFilters * taps + batch * paddedFilters * oh * owr
  }

  /// Backward scratch: padded inputs (when the forward's are gone), padded output gradients,
  /// weight-gradient lanes (one set per example group), flipped weights, each example's
  /// input-gradient planes.
  var backwardCount: Int {
    inputCount + batch * gradientCount + Self.exampleGroups * paddedFilters * taps * Self.lanes
      + paddedChannels * geo.filters * kh * kw + batch * paddedChannels * geo.height * wr
  }

  /// Lays out weights for the kernels: grouped[block][t][lane] = value(block·8 + lane, t) for
  /// `outputs` outputs (filters, or channels for the input gradient) of `taps` taps each, 0 for
  /// the lanes past the last output.
  static func groupWeights(
    outputs: Int, taps: Int, into grouped: UnsafeMutablePointer<Float>,
    _ value: (_ output: Int, _ tap: Int) -> Float
  ) {
    for block in 0..<(outputs + Self.group - 1) / Self.group {
      for t in 0..<taps {
        for lane in 0..<Self.group {
          let output = block * Self.group + lane
          grouped[(block * taps + t) * Self.group + lane] = output < outputs ? value(output, t) : 0
        }
      }
    }
  }

  /// Calls `body(first, count, kernelRows)` for runs of consecutive output rows that reach the
  /// same kernel rows: output row i reads padded rows i ..< i + kernelHeight, of which only
  /// `data` hold values, so kernel row ki counts only where i + ki falls in `data` (the rest
  /// would multiply zeros; an output row that reaches no data gets an empty range, and zeros).
  static func forEachRowRun(
    rows: Int, kernelHeight: Int, data: Range<Int>,
    _ body: (_ first: Int, _ count: Int, _ kernelRows: Range<Int>) -> Void
  ) {
    func kernelRows(_ i: Int) -> Range<Int> {
      let low = min(max(0, data.lowerBound - i), kernelHeight)
      return low..<max(low, min(kernelHeight, data.upperBound - i))
    }
    var first = 0
    while first < rows {
      let reach = kernelRows(first)
      var last = first + 1
      while last < rows && kernelRows(last) == reach { last += 1 }
      body(first, last - first, reach)
      first = last
    }
  }

  /// Copies `planes` planes of rows × columns into planes of `paddedRows` rows of `stride`,
  /// starting at row `top`, column `left`, and zeroes the rest of each plane (only the rest:
  /// the border, not the whole plane before the copy).
  static func pad(
    _ source: UnsafePointer<Float>, planes: Int, rows: Int, columns: Int,
    into target: UnsafeMutablePointer<Float>, paddedRows: Int, stride: Int, top: Int, left: Int
  ) {
    let right = stride - left - columns
    for plane in 0..<planes {
      let from = source + plane * rows * columns
      let to = target + plane * paddedRows * stride
      Pointwise.zero(to, count: top * stride + left)
      for r in 0..<rows {
        let row = to + (top + r) * stride + left
        Pointwise.copy(from + r * columns, row, count: columns)
        // The right edge of this row and the left edge of the next are one run.
        Pointwise.zero(row + columns, count: r + 1 < rows ? right + left : right)
      }
      let below = (top + rows) * stride
      Pointwise.zero(to + below, count: paddedRows * stride - below)
    }
  }

  /// Copies example x[C, H, W] into its zero-padded planes.
  func pad(_ x: UnsafePointer<Float>, into planes: UnsafeMutablePointer<Float>) {
    Self.pad(
      x, planes: geo.channels, rows: geo.height, columns: geo.width, into: planes,
      paddedRows: inputRows, stride: inputRowStride, top: geo.window.paddingHeight,
      left: geo.window.paddingWidth)
  }

  /// y[B, F, OH, OW] = conv(x) + bias; the padded inputs stay in the workspace.
  func forward(
    _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
    _ y: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>, pool: WorkerPool?
  ) {
    let inputs = workspace
    let packed = inputs + inputCount
    let outputs = packed + paddedFilters * taps
    let f = geo.filters
    Self.groupWeights(outputs: f, taps: taps, into: packed) { filter, t in
      weight[filter * taps + t]
    }
    let planes = paddedFilters * oh * owr
    FastConv.forEachExample(batch, pool: pool, elements: batch * planes * taps) { b in
      let padded = inputs + b * geo.channels * inputPlane
      pad(x + b * geo.inputCount, into: padded)
      let out = outputs + b * planes
      let data = geo.window.paddingHeight..<(geo.window.paddingHeight + geo.height)
      for block in 0..<filterBlocks {
        Self.forEachRowRun(rows: oh, kernelHeight: kh, data: data) { first, count, kernelRows in
          DirectConvolution.correlate(
            input: padded + first * inputRowStride, channels: geo.channels,
            planeStride: inputPlane, rowStride: inputRowStride,
            weights: packed + block * taps * Self.group, kernelHeight: kh, kernelWidth: kw,
            kernelRows: kernelRows, rows: count, vectors: owr / Self.lanes,
            output: out + block * Self.group * oh * owr + first * owr,
            outputPlaneStride: oh * owr)
        }
      }
      for filter in 0..<f {
        for i in 0..<oh {
          let source = out + (filter * oh + i) * owr
          let target = y + ((b * f + filter) * oh + i) * ow
          if let bias {
            Pointwise.addScalar(source, bias[filter], target, count: ow)
          } else {
            Pointwise.copy(source, target, count: ow)
          }
        }
      }
    }
  }

  /// dx[B, C, H, W] (nil: skipped), dW[F, K], db[F] from g [B, F, OH, OW]. `inputs`: the
  /// forward pass's padded inputs of the same x, when still at hand (else rebuilt).
  ///
  /// On a two-thread pool with the weight gradient split by example group, each thread pads
  /// its group's examples, sums their weight-gradient lanes and computes their input gradient
  /// in one handoff, and a second one adds up the lanes and the bias gradient: two joins
  /// instead of five, each part's data on the core that wrote it. Every value is computed by
  /// the same calls in the same order either way.
  func backward(
    _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
    dBias: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
    inputs: UnsafePointer<Float>?, pool: WorkerPool?
  ) {
    let f = geo.filters, p = geo.positions
    let gradients = scratch + inputCount
    let lanes = gradients + batch * gradientCount
    let flipped = lanes + Self.exampleGroups * paddedFilters * taps * Self.lanes
    let inputGradients = flipped + paddedChannels * f * kh * kw
    let padded = inputs ?? UnsafePointer(scratch)
    /// Example b's padded input (unless at hand) and padded output gradient.
    func padExample(_ b: Int) {
      if inputs == nil {
        self.pad(x + b * geo.inputCount, into: scratch + b * geo.channels * inputPlane)
      }
      Self.pad(
        g + b * f * p, planes: f, rows: oh, columns: ow, into: gradients + b * gradientCount,
        paddedRows: gradientRows, stride: gradientRowStride,
        top: kh - 1 - geo.window.paddingHeight, left: kw - 1 - geo.window.paddingWidth)
      // Planes past the last filter only feed lanes that are dropped; zeros keep garbage
      // (denormals, NaN) out of the arithmetic.
      Pointwise.zero(
        gradients + b * gradientCount + f * gradientPlane,
        count: (paddedFilters - f) * gradientPlane)
    }
    let groups = Self.exampleGroups
    if let pool, pool.threads == groups, weightThreads(pool: pool) == groups, batch >= groups {
      if dx != nil { flip(weight, into: flipped) }
      pool.run(parts: groups) { group in
        let examples = (batch * group / groups)..<(batch * (group + 1) / groups)
        for b in examples { padExample(b) }
        accumulateLanes(padded, gradients, lanes: lanes, group: group, taps: 0..<taps)
        guard let dx else { return }
        for b in examples {
          inputGradient(b, gradients, flipped: flipped, planes: inputGradients, into: dx)
        }
      }
      pool.run(parts: groups) { part in
        addLanes(
          lanes, taps: Parallel.range(part: part, of: groups, total: taps, multiple: 1),
          into: dWeight)
        FastConv.biasGradient(
          g, batch: batch, geo,
          filters: Parallel.range(part: part, of: groups, total: f, multiple: 1),
          into: dBias)
      }
      return
    }
    FastConv.forEachExample(batch, pool: pool, elements: batch * gradientCount) {
      padExample($0)
    }
    weightGradient(padded, gradients, lanes: lanes, into: dWeight, pool: pool)
    FastConv.biasGradient(g, batch: batch, geo, into: dBias, pool: pool)
    guard let dx else { return }
    flip(weight, into: flipped)
    let exampleCount = paddedChannels * geo.height * wr
    FastConv.forEachExample(
      batch, pool: pool, elements: batch * exampleCount * f * kh * kw
    ) { b in
      inputGradient(b, gradients, flipped: flipped, planes: inputGradients, into: dx)
    }
  }

  /// The batch's examples fall into this many fixed groups for the weight gradient, each
  /// summed on its own (by the thread that padded most of them) and the groups added in order:
  /// the same bits at every thread count.
  static let exampleGroups = 2

  /// Threads the weight gradient uses: one per group of examples and, with more threads than
  /// groups, chunks of taps within a group (`weightChunks`); fewer when the work is small.
  func weightThreads(pool: WorkerPool?) -> Int {
    let work = batch * taps * paddedFilters * oh * owr
    return max(1, min(pool?.threads ?? 1, work / 200_000))
  }

  /// Chunks of taps each group's lanes are summed in.
  func weightChunks(pool: WorkerPool?) -> Int {
    max(1, min(taps, weightThreads(pool: pool) / Self.exampleGroups))
  }

  /// dW[f][t] = Σ over example groups, in order, of the 16 lanes (added in lane order) of
  /// Σ_{b in group} Σ_i g_b[f][i]·x_b[c][i + ki][· + kj].
  ///
  /// Split by example group and, with more threads than groups, by taps: every lane is summed
  /// by one thread in the same order.
  private func weightGradient(
    _ inputs: UnsafePointer<Float>, _ gradients: UnsafePointer<Float>,
    lanes: UnsafeMutablePointer<Float>, into dWeight: UnsafeMutablePointer<Float>,
    pool: WorkerPool?
  ) {
    let groups = Self.exampleGroups
    let threads = weightThreads(pool: pool)
    let chunks = weightChunks(pool: pool)
    let items = groups * chunks
    // A nested function, not a closure stored in a constant: that would be a heap-allocated
    // context on every call.
    func item(_ index: Int) {
      let chunk = index / groups
      accumulateLanes(
        inputs, gradients, lanes: lanes, group: index % groups,
        taps: (taps * chunk / chunks)..<(taps * (chunk + 1) / chunks))
    }
    let parts = min(items, threads)
    if let pool, parts > 1 {
      pool.run(parts: parts) { part in
        var index = part
        while index < items {
          item(index)
          index += parts
        }
      }
    } else {
      for index in 0..<items { item(index) }
    }
    // The lanes added up, split by taps (each weight still summed by one thread, in order).
    let f = geo.filters
    Parallel.forRanges(
      taps, elementsEach: f * groups * Self.lanes, multiple: 1, pool: pool
    ) { first, count in
      addLanes(lanes, taps: first..<(first + count), into: dWeight)
    }
  }

  /// The weight-gradient lanes of example group `group` for the taps in `range`: zeroed, then
  /// every example of the group added in order.
  private func accumulateLanes(
    _ inputs: UnsafePointer<Float>, _ gradients: UnsafePointer<Float>,
    lanes: UnsafeMutablePointer<Float>, group: Int, taps range: Range<Int>
  ) {
    let groups = Self.exampleGroups
    let laneBlock = taps * Self.group * Self.lanes
    let target = lanes + group * filterBlocks * laneBlock
    for block in 0..<filterBlocks {
      Pointwise.zero(
        target + block * laneBlock + range.lowerBound * Self.group * Self.lanes,
        count: range.count * Self.group * Self.lanes)
    }
    for b in (batch * group / groups)..<(batch * (group + 1) / groups) {
      for block in 0..<filterBlocks {
        DirectConvolution.correlateWeights(
          input: inputs + b * geo.channels * inputPlane, planeStride: inputPlane,
          rowStride: inputRowStride,
          gradient: gradients + b * gradientCount + block * Self.group * gradientPlane
            + gradientOffset,
          gradientPlaneStride: gradientPlane, gradientRowStride: gradientRowStride,
          kernelHeight: kh, kernelWidth: kw, firstTap: range.lowerBound,
          lastTap: range.upperBound, rows: oh, vectors: owr / Self.lanes,
          lanes: target + block * laneBlock)
      }
    }
  }

  /// dW for the taps in `range`: each weight's lanes added in lane order, then the groups in
  /// order.
  private func addLanes(
    _ lanes: UnsafePointer<Float>, taps range: Range<Int>,
    into dWeight: UnsafeMutablePointer<Float>
  ) {
    let groups = Self.exampleGroups
    let laneBlock = taps * Self.group * Self.lanes
    let groupLanes = filterBlocks * laneBlock
    for t in range {
      for filter in 0..<geo.filters {
        let offset =
          (filter / Self.group) * laneBlock + (t * Self.group + filter % Self.group) * Self.lanes
        var total: Float = 0
        for group in 0..<groups {
          let lane = lanes + group * groupLanes + offset
          var sum: Float = 0
          for l in 0..<Self.lanes { sum += lane[l] }
          total += sum
        }
        dWeight[filter * taps + t] = total
      }
    }
  }

  /// The weights as the input gradient's kernel reads them: tap t = (filter, ki, kj) of output
  /// channel `channel` is W[filter][channel][KH−1−ki][KW−1−kj].
  private func flip(_ weight: UnsafePointer<Float>, into flipped: UnsafeMutablePointer<Float>) {
    let c = geo.channels, area = kh * kw
    Self.groupWeights(outputs: c, taps: geo.filters * area, into: flipped) { channel, t in
      let filter = t / area, ki = t % area / kw, kj = t % kw
      return weight[((filter * c + channel) * kh + (kh - 1 - ki)) * kw + (kw - 1 - kj)]
    }
  }

  /// Example b's dx: the correlation of its padded g with W flipped in space and transposed
  /// (filters as input channels, channels as filters; `flip`), into its planes, then copied
  /// out without the row padding.
  private func inputGradient(
    _ b: Int, _ gradients: UnsafePointer<Float>, flipped: UnsafePointer<Float>,
    planes: UnsafeMutablePointer<Float>, into dx: UnsafeMutablePointer<Float>
  ) {
    let f = geo.filters, c = geo.channels
    let flippedTaps = f * kh * kw
    let exampleCount = paddedChannels * geo.height * wr
    let out = planes + b * exampleCount
    let input = gradients + b * gradientCount
    // The output gradient's rows sit at kh − 1 − ph of its padded planes.
    let top = kh - 1 - geo.window.paddingHeight
    for block in 0..<channelBlocks {
      Self.forEachRowRun(rows: geo.height, kernelHeight: kh, data: top..<(top + oh)) {
        first, count, kernelRows in
        DirectConvolution.correlate(
          input: input + first * gradientRowStride, channels: f, planeStride: gradientPlane,
          rowStride: gradientRowStride, weights: flipped + block * flippedTaps * Self.group,
          kernelHeight: kh, kernelWidth: kw, kernelRows: kernelRows, rows: count,
          vectors: wr / Self.lanes,
          output: out + block * Self.group * geo.height * wr + first * wr,
          outputPlaneStride: geo.height * wr)
      }
    }
    for channel in 0..<c {
      for r in 0..<geo.height {
        Pointwise.copy(
          out + (channel * geo.height + r) * wr,
          dx + ((b * c + channel) * geo.height + r) * geo.width, count: geo.width)
      }
    }
  }
}
