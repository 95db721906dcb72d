// OptimizerSpec and ScheduleSpec: optimizer and learning-rate schedule settings as the checker
// resolved them from a train task. Defaults follow PyTorch.

/// `sgd(...)` or `adam(...)`.
public enum OptimizerSpec: Equatable, Sendable {
  case sgd(SGDSettings)
  case adam(AdamSettings)

  /// The base learning rate.
  public var learningRate: Double {
    switch self {
    case .sgd(let settings): settings.learningRate
    case .adam(let settings): settings.learningRate
    }
  }
}

/// torch.optim.SGD: v = μ·v + (1−dampening)·g (v = g on the first step), p −= lr·(g + μ·v) with
/// nesterov, else p −= lr·v; weight decay adds `weightDecay·p` to g first.
public struct SGDSettings: Equatable, Sendable {
  public var learningRate: Double
  public var momentum: Double = 0
  public var dampening: Double = 0
  public var weightDecay: Double = 0
  public var nesterov: Bool = false
  public init(
    learningRate: Double, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0,
    nesterov: Bool = false
  ) {
    self.learningRate = learningRate
    self.momentum = momentum
    self.dampening = dampening
    self.weightDecay = weightDecay
    self.nesterov = nesterov
  }
}

/// torch.optim.Adam with L2 weight decay added to the gradient.
public struct AdamSettings: Equatable, Sendable {
  public var learningRate: Double = 0.001
  public var beta1: Double = 0.9
  public var beta2: Double = 0.999
  public var epsilon: Double = 1e-8
  public var weightDecay: Double = 0
  public init(
    learningRate: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999,
    epsilon: Double = 1e-8, weightDecay: Double = 0
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
  }
}

/// Learning rate as a function of the epoch (0-based), applied at the start of each epoch.
public enum ScheduleSpec: Equatable, Sendable {
  case constant
  /// lr · gamma^(epoch / every), as torch's StepLR.
  case step(every: Int, gamma: Double)
  /// lr · gamma^epoch, as torch's ExponentialLR.
  case exponential(gamma: Double)
  /// min + (lr − min)·(1 + cos(π·epoch/epochs))/2, as torch's CosineAnnealingLR with
  /// T_max = epochs.
  case cosine(minimum: Double)
}
