// TrainingOutput: how training looks on the terminal and in the JSON log: one line per epoch,
// and a progress line within an epoch that is shown only when stdout is a terminal.

import Foundation
import NetLangTraining

/// The text and JSON of an epoch report.
enum EpochLine {
  /// `epoch  3/15  loss 0.1234  acc 96.12%  val_loss 0.2345  val_acc 95.10%  12,345 ex/s  4.2s`
  static func text(_ report: EpochReport, bitsPerChar: Bool) -> String {
    let width = String(report.epochs).count
    let number = String(report.epoch)
    var parts = [
      "epoch " + String(repeating: " ", count: max(0, width - number.count)) + number
        + "/\(report.epochs)",
      "loss \(format(report.loss))",
    ]
    if let accuracy = report.accuracy { parts.append("acc \(percent(accuracy))") }
    if let loss = report.validationLoss {
      parts.append("val_loss \(format(loss))")
      if bitsPerChar { parts.append("(\(format(loss / log(2.0))) bits/char)") }
    }
    if let accuracy = report.validationAccuracy { parts.append("val_acc \(percent(accuracy))") }
    parts.append("\(SummaryTable.grouped(Int(report.examplesPerSecond.rounded()))) ex/s")
    parts.append(String(format: "%.1fs", report.seconds))
    return parts.joined(separator: "  ")
  }

  static func json(
    _ report: EpochReport, model: String, bitsPerChar: Bool
  ) -> [(String, JSONValue)] {
    var members: [(String, JSONValue)] = [
      ("event", .string("epoch")), ("model", .string(model)), ("epoch", .integer(report.epoch)),
      ("loss", .number(report.loss)),
    ]
    if let accuracy = report.accuracy { members.append(("accuracy", .number(accuracy))) }
    if let loss = report.validationLoss {
      members.append(("val_loss", .number(loss)))
      if bitsPerChar { members.append(("val_bits_per_char", .number(loss / log(2.0)))) }
    }
    if let accuracy = report.validationAccuracy {
      members.append(("val_accuracy", .number(accuracy)))
    }
    members.append(("lr", .number(report.learningRate)))
    members.append(("examples_per_sec", .number(report.examplesPerSecond)))
    members.append(("seconds", .number(report.seconds)))
    return members
  }

  /// Four significant decimals for losses: 0.1234, 12.35, 1.2e-05.
  static func format(_ value: Double) -> String {
    guard value.isFinite else { return String(value) }
    if value != 0, abs(value) < 1e-3 || abs(value) >= 1e5 { return String(format: "%.3e", value) }
    return String(format: "%.4f", value)
  }

  /// 0.9612 → "96.12%".
  static func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }
}

/// A live `\r` progress line within an epoch; a no-op when output is not a terminal.
final class ProgressLine {
  let console: Console
  let enabled: Bool
  private var lastDraw = Date.distantPast
  private var visible = false

  init(console: Console, enabled: Bool) {
    self.console = console
    self.enabled = enabled
  }

  func update(epoch: Int, epochs: Int, step: Int, of steps: Int, loss: Double) {
    guard enabled else { return }
    let now = Date()
    guard now.timeIntervalSince(lastDraw) > 0.1 || step == steps else { return }
    lastDraw = now
    let width = 30
    let filled = steps > 0 ? width * step / steps : width
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    console.write(
      "\repoch \(epoch)/\(epochs) [\(bar)] \(step)/\(steps)  loss \(EpochLine.format(loss))")
    visible = true
  }

  func clear() {
    guard enabled, visible else { return }
    console.write("\r" + String(repeating: " ", count: 79) + "\r")
    visible = false
  }
}
