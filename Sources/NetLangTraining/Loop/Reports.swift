// Reports: what the training loop and evaluation hand back to the driver. Values only; the
// driver decides how to print them (a line per epoch, JSON Lines, a progress bar).

/// The end of one training epoch.
public struct EpochReport: Equatable, Sendable {
  /// 1-based.
  public var epoch: Int
  public var epochs: Int
  /// Mean of the batch losses of this epoch as computed during it (data term only).
  public var loss: Double
  /// Fraction of training examples classified right during the epoch, when the loss has labels.
  public var accuracy: Double?
  public var validationLoss: Double?
  public var validationAccuracy: Double?
  public var examplesPerSecond: Double
  /// Seconds since training started.
  public var seconds: Double
  /// The learning rate used during this epoch.
  public var learningRate: Double

  public init(
    epoch: Int, epochs: Int, loss: Double, accuracy: Double? = nil, validationLoss: Double? = nil,
    validationAccuracy: Double? = nil, examplesPerSecond: Double, seconds: Double,
    learningRate: Double
  ) {
    self.epoch = epoch
    self.epochs = epochs
    self.loss = loss
    self.accuracy = accuracy
    self.validationLoss = validationLoss
    self.validationAccuracy = validationAccuracy
    self.examplesPerSecond = examplesPerSecond
    self.seconds = seconds
    self.learningRate = learningRate
  }
}

/// The result of evaluating a model on a data set.
public struct EvaluationReport: Equatable, Sendable {
  public var examples: Int
  /// Mean loss per example (per time step for sequences), when the evaluation has a loss.
  public var loss: Double?
  public var accuracy: Double?
  public init(examples: Int, loss: Double?, accuracy: Double?) {
    self.examples = examples
    self.loss = loss
    self.accuracy = accuracy
  }
}

/// Something the training loop tells its caller while it runs.
public enum TrainingEvent: Sendable {
  /// Within an epoch: `step` of `steps` batches done.
  case progress(epoch: Int, step: Int, steps: Int, loss: Double)
  case epochEnd(EpochReport)
  /// Early stopping ended training; the weights of `bestEpoch` were restored.
  case stoppedEarly(epoch: Int, bestEpoch: Int)
}
