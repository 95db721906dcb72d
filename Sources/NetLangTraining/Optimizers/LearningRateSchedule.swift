// LearningRateSchedule: the learning rate of each epoch, as the closed forms of torch's
// StepLR, ExponentialLR and CosineAnnealingLR.

import Foundation

/// The learning rate for `epoch` (0-based) of `epochs`, starting from `base`.
public func learningRate(for spec: ScheduleSpec, base: Double, epoch: Int, epochs: Int) -> Double {
  switch spec {
  case .constant:
    return base
  case .step(let every, let gamma):
    return base * pow(gamma, Double(epoch / max(every, 1)))
  case .exponential(let gamma):
    return base * pow(gamma, Double(epoch))
  case .cosine(let minimum):
    guard epochs > 0 else { return base }
    return minimum + (base - minimum) * (1 + cos(Double.pi * Double(epoch) / Double(epochs))) / 2
  }
}
