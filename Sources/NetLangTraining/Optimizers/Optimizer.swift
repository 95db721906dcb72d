// Optimizer: the interface every optimizer implements over flat Float parameter buffers, the
// buffers themselves, and the exportable optimizer state for checkpoints.

import NetLangTensor

/// One parameter tensor as the optimizer sees it: its values and its gradient, both flat and
/// of the same length, owned by the caller (the executor's buffers).
public struct ParameterBuffer {
  /// The parameter's name (`dense.weight`), used to key optimizer state.
  public var name: String
  public var value: UnsafeMutableBufferPointer<Float>
  public var gradient: UnsafeMutableBufferPointer<Float>

  public init(
    name: String, value: UnsafeMutableBufferPointer<Float>,
    gradient: UnsafeMutableBufferPointer<Float>
  ) {
    precondition(value.count == gradient.count, "a gradient has its parameter's size")
    self.name = name
    self.value = value
    self.gradient = gradient
  }
}

/// An optimizer's state as named arrays: `"<parameter>.<buffer>"` (for example
/// `dense.weight.momentum`, `dense.weight.exp_avg`) plus the number of steps taken.
public struct OptimizerState: Equatable, Sendable {
  public var step: Int
  public var buffers: [String: [Float]]
  public init(step: Int = 0, buffers: [String: [Float]] = [:]) {
    self.step = step
    self.buffers = buffers
  }
}

/// Updates parameters in place from their gradients.
///
/// State is allocated on the first step
/// (or by `restore`) and reused afterwards; the gradients are not modified.
public protocol Optimizer {
  /// One update of every parameter. The same parameters, in the same order, each step.
  ///
  /// With a `pool`, big updates are split across its threads; the result is the same.
  mutating func step(parameters: [ParameterBuffer], learningRate: Float, pool: WorkerPool?)
  /// The state to save in a checkpoint.
  var state: OptimizerState { get }
  /// Takes over a saved state for these parameters; every buffer must be present with the
  /// parameter's size.
  mutating func restore(_ state: OptimizerState, parameters: [ParameterBuffer]) throws(DataError)
  /// Begins one update of `parameters` that the caller applies piecewise, every element of
  /// every parameter exactly once (counts as a step like `step`).
  mutating func beginPiecewiseStep(
    parameters: [ParameterBuffer], learningRate: Float
  ) -> any PiecewiseStep
}

extension Optimizer {
  /// One update on the calling thread.
  public mutating func step(parameters: [ParameterBuffer], learningRate: Float) {
    step(parameters: parameters, learningRate: learningRate, pool: nil)
  }
}

/// One optimizer step as an update of any range of any parameter's elements: `step` is one of
/// these applied to everything; `FusedUpdates` applies it to a weight block by block as the
/// backward pass computes the weight's gradient, and to the rest after. The same arithmetic
/// per element either way.
public protocol PiecewiseStep: AnyObject {
  /// Updates elements `start ..< start + count` of parameter `index` (whose values start at
  /// `value`) from `gradient` (`count` values, for those elements).
  func update(
    parameter index: Int, value: UnsafeMutablePointer<Float>, start: Int,
    gradient: UnsafePointer<Float>, count: Int)
}

extension PiecewiseStep {
  /// The update of every parameter but the `skipped` ones (by position; nil skips none),
  /// split across the pool.
  func apply(to parameters: [ParameterBuffer], skipping skipped: [Bool]?, pool: WorkerPool?) {
    forEachSlice(of: parameters, pool: pool) { index, start, value, gradient, count in
      if let skipped, skipped[index] { return }
      update(parameter: index, value: value - start, start: start, gradient: gradient, count: count)
    }
  }
}

/// The optimizer a train task asks for.
public func makeOptimizer(_ spec: OptimizerSpec) -> any Optimizer {
  switch spec {
  case .sgd(let settings): SGD(settings)
  case .adam(let settings): Adam(settings)
  }
}

/// Per-parameter buffers of one kind (momentum, first or second moment), by parameter position.
///
/// The Floats live in blocks allocated once (`StateStorage`), so the update can hand their
/// pointers to several threads; copies of an optimizer share them until one of them steps
/// (copy on write in `pointers()`).
struct StateBuffers: @unchecked Sendable {
  /// The suffix in state names: `momentum`, `exp_avg`, `exp_avg_sq`.
  let kind: String
  var names: [String] = []
  private var storage = StateStorage(counts: [])

  init(kind: String) { self.kind = kind }

  /// True once buffers exist for `parameters` (same count).
  func matches(_ parameters: [ParameterBuffer]) -> Bool {
    names.count == parameters.count
  }

  /// Zero-filled buffers, one per parameter.
  mutating func allocate(for parameters: [ParameterBuffer]) {
    names = parameters.map(\.name)
    storage = StateStorage(counts: parameters.map(\.value.count))
  }

  /// The buffers' base addresses by parameter position, for an update that writes them.
  mutating func pointers() -> UnsafePointer<UnsafeMutablePointer<Float>> {
    if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    return UnsafePointer(storage.bases)
  }

  /// The buffers as named state arrays.
  func export(into state: inout OptimizerState) {
    for (index, name) in names.enumerated() {
      state.buffers[name + "." + kind] = Array(
        UnsafeBufferPointer(start: storage.bases[index], count: storage.counts[index]))
    }
  }

  /// Buffers taken from `state`, checked against the parameters' names and sizes.
  mutating func restore(from state: OptimizerState, parameters: [ParameterBuffer]) throws(DataError)
  {
    var restored: [[Float]] = []
    for parameter in parameters {
      let key = parameter.name + "." + kind
      guard let array = state.buffers[key] else {
        throw DataError(path: "", message: "optimizer state has no '\(key)'")
      }
      guard array.count == parameter.value.count else {
        throw DataError(
          path: "",
          message: "optimizer state '\(key)' has \(array.count) values, the parameter has "
            + "\(parameter.value.count)")
      }
      restored.append(array)
    }
    names = parameters.map(\.name)
    storage = StateStorage(counts: restored.map(\.count))
    for (index, array) in restored.enumerated() {
      storage.bases[index].update(from: array, count: array.count)
    }
  }
}

/// Zero-initialised Float blocks of fixed sizes and a table of their addresses.
final class StateStorage {
  let counts: [Int]
  let bases: UnsafeMutablePointer<UnsafeMutablePointer<Float>>

  init(counts: [Int]) {
    self.counts = counts
    bases = .allocate(capacity: max(counts.count, 1))
    for (index, count) in counts.enumerated() {
      (bases + index).initialize(to: FloatMemory.allocate(count))
    }
  }

  func copy() -> StateStorage {
    let twin = StateStorage(counts: counts)
    for (index, count) in counts.enumerated() {
      twin.bases[index].update(from: bases[index], count: count)
    }
    return twin
  }

  deinit {
    for index in counts.indices { FloatMemory.deallocate(bases[index]) }
    bases.deallocate()
  }
}

/// Calls `body(index, start, value, gradient, count)` on slices of every parameter (`value`
/// and `gradient` point at element `start`) so that together they cover all elements.
///
/// One handoff to the pool for the whole update, each part taking the same fraction of every
/// parameter (16-element aligned); serial without a pool or for small models.
func forEachSlice(
  of parameters: [ParameterBuffer], pool: WorkerPool?,
  _ body: (Int, Int, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
) {
  forEachPart(partCount(of: parameters, pool: pool), pool: pool) { part, parts in
    for (index, parameter) in parameters.enumerated() {
      let range = Parallel.range(part: part, of: parts, total: parameter.value.count)
      guard !range.isEmpty, let value = parameter.value.baseAddress,
        let gradient = parameter.gradient.baseAddress
      else { continue }
      body(
        index, range.lowerBound, value + range.lowerBound, gradient + range.lowerBound,
        range.count)
    }
  }
}

/// How many parts a pass over every parameter is split into: one per thread when the model is
/// big enough to pay for the handoff, else 1.
func partCount(of parameters: [ParameterBuffer], pool: WorkerPool?) -> Int {
  var total = 0
  for parameter in parameters { total &+= parameter.value.count }
  return max(1, min(pool?.threads ?? 1, total / Parallel.minimumElementsPerPart))
}

/// Runs `body(part, parts)` for each of `parts` parts, across the pool when there are several.
func forEachPart(_ parts: Int, pool: WorkerPool?, _ body: (Int, Int) -> Void) {
  guard let pool, parts > 1 else {
    body(0, 1)
    return
  }
  pool.run(parts: parts) { body($0, parts) }
}
