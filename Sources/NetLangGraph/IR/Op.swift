// Op: every operation the graph IR can express, forward and backward. Shapes are per
// example; "B" is the symbolic batch dimension that batched values carry in front
// (see `Node.batched`). Backward-only ops are produced by Autodiff and have no gradient.

/// A 2-D window for conv2d and pooling: kernel, stride and padding as (height, width).
public struct Window2D: Hashable, Sendable, CustomStringConvertible {
  public var kernelHeight: Int
  public var kernelWidth: Int
  public var strideHeight: Int
  public var strideWidth: Int
  public var paddingHeight: Int
  public var paddingWidth: Int

  public init(
    kernel: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)
  ) {
    kernelHeight = kernel.0
    kernelWidth = kernel.1
    strideHeight = stride.0
    strideWidth = stride.1
    paddingHeight = padding.0
    paddingWidth = padding.1
  }

  /// Output size of one spatial axis: (size + 2·padding − kernel) / stride + 1, floored.
  func outputSize(_ size: Int, kernel: Int, stride: Int, padding: Int) -> Int {
    (size + 2 * padding - kernel) / stride + 1
  }
  func outputHeight(_ h: Int) -> Int {
    outputSize(h, kernel: kernelHeight, stride: strideHeight, padding: paddingHeight)
  }
  func outputWidth(_ w: Int) -> Int {
    outputSize(w, kernel: kernelWidth, stride: strideWidth, padding: paddingWidth)
  }

  /// Printed as `k3x3 s1x1 p0x0`.
  public var description: String {
    "k\(kernelHeight)x\(kernelWidth) s\(strideHeight)x\(strideWidth) p\(paddingHeight)x\(paddingWidth)"
  }
}

/// One operation of the graph.
///
/// Inputs are listed as `[x, W, ...]`; `g` is an upstream gradient.
public enum Op: Hashable, Sendable {
  // MARK: Leaves

  /// A value fed by the caller under `name`; batched, shape given when it is created. No gradient.
  case input(name: String)
  /// The trainable parameter or buffer with this id; unbatched, the parameter's shape.
  case parameter(ParameterID)
  /// A scalar constant, shape `[]`, unbatched. No gradient.
  case constant(Double)

  // MARK: Linear and elementwise

  /// `[x, W]` or `[x, W, b]`: y = x·Wᵀ + b on the last axis; `[..., I]`, W `[O, I]` → `[..., O]`.
  /// Backward: dx = g·W, dW = Σ gᵀ·x over all rows, db = Σ g over all rows.
  case dense
  /// `a + b` with numpy broadcasting of per-example shapes (batch kept in front). d = g summed to shape.
  case add
  /// `a − b`, broadcasting. da = g, db = −g, each summed back to its input's shape.
  case subtract
  /// `a · b`, broadcasting. da = g·b, db = g·a, summed back.
  case multiply
  /// `a / b`, broadcasting. da = g/b, db = −g·y/b, summed back.
  case divide
  /// `c · x`; shape-preserving. dx = c·g.
  case scale(Double)
  /// `max(0, x)`; shape-preserving. Gradient at exactly 0 is 0.
  case relu
  /// `x` if x > 0 else `slope·x`. dx = g or slope·g.
  case leakyRelu(slope: Double)
  /// `tanh(x)`. dx = g·(1 − y²).
  case tanh
  /// `1 / (1 + e^−x)`. dx = g·y·(1 − y).
  case sigmoid
  /// Softmax over the last axis, max-subtracted. dx = y·(g − Σ g·y).
  case softmax

  // MARK: Structure

  /// Same elements, the node's (per-example) shape; used for flatten and reshape. dx = g reshaped.
  case reshape
  /// Concatenation along a per-example axis; all other axes equal. dx_i = the slice of g.
  case concat(axis: Int)
  /// Training: zero with probability `rate`, scale the rest by 1/(1−rate); evaluation: identity.
  /// dx = g·mask (the mask is kept in the node's workspace).
  case dropout(rate: Double)
  /// `[T, N] → [N]`: the last time step. dx = g placed at step T−1, zeros elsewhere.
  case lastStep

  // MARK: Convolution, pooling, normalisation, lookup

  /// `[x, W]` or `[x, W, b]`: `[C, H, W]`, W `[F, C, kh, kw]` → `[F, OH, OW]` (im2col + Gemm).
  /// Backward: conv2dBackward.
  case conv2d(Window2D)
  /// Max over each window, `[C, H, W] → [C, OH, OW]`. dx: g routed to the first maximum.
  case maxPool(Window2D)
  /// Mean over each window (padding counts as zeros, divisor kh·kw). dx: g/(kh·kw) spread back.
  case avgPool(Window2D)
  /// `[x, gamma, beta, running_mean, running_var]`, x `[N]` or `[C, H, W]`, per feature/channel.
  /// Training: batch statistics, running stats updated (unbiased var); evaluation: running stats.
  case batchNorm(momentum: Double, epsilon: Double)
  /// `[ids, W]`: ids `[...]` (floats holding integers in 0..<V), W `[V, D]` → `[..., D]`.
  /// dW: rows of g scattered (+=) to the ids' rows; ids get no gradient.
  case embedding

  // MARK: Recurrent layers, `[x, W_ih, W_hh, b_ih, b_hh]`, x `[T, I]` → `[T, H]`, h₀ = 0

  /// h_t = tanh(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh). Backward: rnnBackward (full BPTT).
  case rnn
  /// PyTorch LSTM, gate rows i, f, g, o (`4H` rows). Backward: lstmBackward (full BPTT).
  case lstm
  /// PyTorch GRU, gate rows r, z, n; n = tanh(W_in·x + b_in + r·(W_hn·h + b_hn)),
  /// h = (1 − z)·n + z·h_{t−1}. Backward: gruBackward (full BPTT).
  case gru

  // MARK: Losses and metrics (unbatched scalar results)

  /// `[y, t]`: ½ Σ (y − t)² over elements, mean over the batch; t needs y's element count.
  /// dy = g·(y − t)/B.
  case mseLoss
  /// `[logits, labels]`: mean over batch·time of −log softmax(logits)[label]; logits `[C]` or
  /// `[T, C]`, one integer-valued label per row (`[]` or `[T]`; `[1]`, `[T, 1]` also do).
  /// dlogits = g·(softmax − onehot)/(B·T).
  case softmaxCrossEntropy
  /// `[p, t]`: −mean(t·log p + (1−t)·log(1−p)) over all elements, logs clamped at −100
  /// (PyTorch BCELoss). dp = g·(p − t)/max(p(1−p), 1e-12)/N.
  case bceLoss
  /// `[z, t]`: bce of sigmoid(z), computed stably from logits. dz = g·(sigmoid(z) − t)/N.
  case bceWithLogitsLoss
  /// `[scores, labels]`: fraction of argmax(scores, last axis) == label over batch·time; with a
  /// single score column the prediction is `score ≥ 0.5`. Not differentiable (no gradient flows).
  case accuracy

  // MARK: Reductions (made by Autodiff; differentiable, so they also serve tests and lowering)

  /// `[x]`: x summed over broadcast axes (and the batch) down to this node's shape, which must
  /// broadcast to x's. dx = g broadcast back (broadcastTo).
  case sumTo
  /// `[x]`: x broadcast up to this node's shape (and batch). dx = g summed back (sumTo).
  case broadcastTo

  // MARK: Backward-only ops (made by Autodiff)

  /// `[g, W]` → g·W, the dense input gradient.
  case denseInputGrad
  /// `[g, x]` → Σ gᵀ·x over rows, the dense weight gradient `[O, I]`.
  case denseWeightGrad
  /// `[x, g]` → g where x > 0.
  case reluGrad
  /// `[x, g]` → g where x > 0, slope·g elsewhere.
  case leakyReluGrad(slope: Double)
  /// `[y, g]` → g·(1 − y²).
  case tanhGrad
  /// `[y, g]` → g·y·(1 − y).
  case sigmoidGrad
  /// `[y, g]` → y·(g − Σ_last g·y).
  case softmaxGrad
  /// `[g]` → the slice `start..<start+length` of g along a per-example axis.
  case slice(axis: Int, start: Int, length: Int)
  /// `[dropoutNode, g]` → g·mask, the mask taken from the dropout node's workspace.
  case dropoutGrad
  /// `[g]` → `[T, N]` with g at the last step and zeros elsewhere.
  case lastStepGrad
  /// `[x, W, g]` → dx; dW (and db) are left in the workspace as parts 0 (and 1).
  case conv2dBackward(Window2D)
  /// `[x, g]` → dx of maxPool.
  case maxPoolGrad(Window2D)
  /// `[g]` → dx of avgPool.
  case avgPoolGrad(Window2D)
  /// `[bnNode, x, gamma, g]` → dx; dgamma, dbeta left in the workspace as parts 0, 1.
  case batchNormBackward
  /// `[ids, g]` → dW `[V, D]` (unbatched).
  case embeddingGrad
  /// `[rnnNode, x, W_ih, W_hh, g]` → dx; dW_ih, dW_hh, db_ih, db_hh as workspace parts 0–3.
  case rnnBackward
  /// As rnnBackward for lstm.
  case lstmBackward
  /// As rnnBackward for gru.
  case gruBackward
  /// `[backwardNode]`: copy of workspace part `index` of a multi-result backward node.
  case gradientPart(index: Int)
  /// `[y, t, g]` → dy of mseLoss.
  case mseLossGrad
  /// `[logits, labels, g]` → dlogits of softmaxCrossEntropy.
  case softmaxCrossEntropyGrad
  /// `[p, t, g]` → dp of bceLoss.
  case bceLossGrad
  /// `[z, t, g]` → dz of bceWithLogitsLoss.
  case bceWithLogitsLossGrad
}

extension Op {
  /// The op's name without attributes, as printed (`dense`, `conv2d`, `sumTo`).
  public var name: String {
    switch self {
    case .input: "input"
    case .parameter: "parameter"
    case .constant: "constant"
    case .dense: "dense"
    case .add: "add"
    case .subtract: "subtract"
    case .multiply: "multiply"
    case .divide: "divide"
    case .scale: "scale"
    case .relu: "relu"
    case .leakyRelu: "leakyRelu"
    case .tanh: "tanh"
    case .sigmoid: "sigmoid"
    case .softmax: "softmax"
    case .reshape: "reshape"
    case .concat: "concat"
    case .dropout: "dropout"
    case .lastStep: "lastStep"
    case .conv2d: "conv2d"
    case .maxPool: "maxPool"
    case .avgPool: "avgPool"
    case .batchNorm: "batchNorm"
    case .embedding: "embedding"
    case .rnn: "rnn"
    case .lstm: "lstm"
    case .gru: "gru"
    case .mseLoss: "mseLoss"
    case .softmaxCrossEntropy: "softmaxCrossEntropy"
    case .bceLoss: "bceLoss"
    case .bceWithLogitsLoss: "bceWithLogitsLoss"
    case .accuracy: "accuracy"
    case .sumTo: "sumTo"
    case .broadcastTo: "broadcastTo"
    case .denseInputGrad: "denseInputGrad"
    case .denseWeightGrad: "denseWeightGrad"
    case .reluGrad: "reluGrad"
    case .leakyReluGrad: "leakyReluGrad"
    case .tanhGrad: "tanhGrad"
    case .sigmoidGrad: "sigmoidGrad"
    case .softmaxGrad: "softmaxGrad"
    case .slice: "slice"
    case .dropoutGrad: "dropoutGrad"
    case .lastStepGrad: "lastStepGrad"
    case .conv2dBackward: "conv2dBackward"
    case .maxPoolGrad: "maxPoolGrad"
    case .avgPoolGrad: "avgPoolGrad"
    case .batchNormBackward: "batchNormBackward"
    case .embeddingGrad: "embeddingGrad"
    case .rnnBackward: "rnnBackward"
    case .lstmBackward: "lstmBackward"
    case .gruBackward: "gruBackward"
    case .gradientPart: "gradientPart"
    case .mseLossGrad: "mseLossGrad"
    case .softmaxCrossEntropyGrad: "softmaxCrossEntropyGrad"
    case .bceLossGrad: "bceLossGrad"
    case .bceWithLogitsLossGrad: "bceWithLogitsLossGrad"
    }
  }

  /// Attributes in a stable printed form (`rate=0.5`), empty when there are none.
  public var attributes: String {
    switch self {
    case .input(let name): "\"\(name)\""
    case .parameter(let id): "p\(id.rawValue)"
    case .constant(let value): "\(value)"
    case .scale(let c): "\(c)"
    case .leakyRelu(let slope), .leakyReluGrad(let slope): "slope=\(slope)"
    case .concat(let axis): "axis=\(axis)"
    case .dropout(let rate): "rate=\(rate)"
    case .conv2d(let w), .maxPool(let w), .avgPool(let w), .conv2dBackward(let w),
      .maxPoolGrad(let w), .avgPoolGrad(let w):
      w.description
    case .batchNorm(let momentum, let epsilon): "momentum=\(momentum) eps=\(epsilon)"
    case .slice(let axis, let start, let length): "axis=\(axis) start=\(start) length=\(length)"
    case .gradientPart(let index): "part=\(index)"
    default: ""
    }
  }

  /// True for the ops only Autodiff creates; they have no gradient rule of their own.
  public var isBackwardOnly: Bool {
    switch self {
    case .denseInputGrad, .denseWeightGrad, .reluGrad, .leakyReluGrad, .tanhGrad,
      .sigmoidGrad, .softmaxGrad, .slice, .dropoutGrad, .lastStepGrad, .conv2dBackward,
      .maxPoolGrad, .avgPoolGrad, .batchNormBackward, .embeddingGrad, .rnnBackward,
      .lstmBackward, .gruBackward, .gradientPart, .mseLossGrad, .softmaxCrossEntropyGrad,
      .bceLossGrad, .bceWithLogitsLossGrad:
      true
    default: false
    }
  }
}
