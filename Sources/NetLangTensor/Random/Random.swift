// Random: the one seeded generator every random choice uses (weights, shuffles, dropout,
// noise). Passed explicitly, never global, so a seed makes a run bit-identical.

/// xoshiro256** seeded through SplitMix64. Value type: copying it forks the stream.
public struct Random: Sendable, Equatable {
  @usableFromInline var state: (UInt64, UInt64, UInt64, UInt64)

  public init(seed: UInt64) {
    var mix = seed
    func next() -> UInt64 {
      mix &+= 0x9E37_79B9_7F4A_7C15
      var z = mix
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    state = (next(), next(), next(), next())
  }

  /// The generator's full state, for checkpoints.
  public var words: [UInt64] {
    get { [state.0, state.1, state.2, state.3] }
    set {
      guard newValue.count == 4 else { return }
      state = (newValue[0], newValue[1], newValue[2], newValue[3])
    }
  }

  public static func == (lhs: Random, rhs: Random) -> Bool { lhs.words == rhs.words }

  /// 64 uniformly random bits. Inlinable: dropout and RBM sampling draw one per element.
  @inlinable
  public mutating func nextBits() -> UInt64 {
    @inline(__always) func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
    let result = rotl(state.1 &* 5, 7) &* 9
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = rotl(state.3, 45)
    return result
  }

  /// Uniform in [0, 1) with 53 random bits.
  public mutating func nextDouble() -> Double {
    Double(nextBits() >> 11) * 0x1.0p-53
  }

  /// Uniform in [0, 1) as a Float with 24 random bits.
  @inlinable
  public mutating func nextFloat() -> Float {
    Float(nextBits() >> 40) * 0x1.0p-24
  }

  /// Uniform in [low, high).
  public mutating func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * nextDouble()
  }

  /// A standard normal sample (Box–Muller; one sample per call, deterministic).
  public mutating func normal() -> Double {
    var u = nextDouble()
    while u <= .leastNormalMagnitude { u = nextDouble() }
    let v = nextDouble()
    return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
  }

  /// Uniform integer in 0..<bound (bound > 0), without modulo bias.
  public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    let limit = UInt64(bound)
    let threshold = (0 &- limit) % limit
    while true {
      let bits = nextBits()
      let product = bits.multipliedFullWidth(by: limit)
      if product.low >= threshold { return Int(product.high) }
    }
  }

  /// A Fisher–Yates shuffle of `0..<count`.
  public mutating func permutation(_ count: Int) -> [Int] {
    var order = Array(0..<count)
    if count < 2 { return order }
    for i in stride(from: count - 1, to: 0, by: -1) {
      let j = nextInt(below: i + 1)
      order.swapAt(i, j)
    }
    return order
  }
}

// Foundation-free elementary functions for the generator (libm via the stdlib's builtins).
@inline(__always) private func _log(_ x: Double) -> Double { Double.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Double.cos(x) }

extension Double {
  fileprivate static func log(_ x: Double) -> Double { MathShim.log(x) }
  fileprivate static func cos(_ x: Double) -> Double { MathShim.cos(x) }
}
