// VectorMathBenchmark: prints measured max errors and G elements/s of VectorMath against libm
// (Glibc expf/logf/tanhf). Runs only by hand:
//   NETLANG_BENCH=1 swift test -c release --filter vectorMathBenchmark

import NetLangTensor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Test("VectorMath errors and throughput (prints)", .enabled(if: getenv("NETLANG_BENCH") != nil))
func vectorMathBenchmark() {
  for path in VectorMath.Implementation.available {
    vectorMathBenchmark(path)
  }
}

private func vectorMathBenchmark(_ path: VectorMath.Implementation) {
  typealias BufferFunction = (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
  let cases: [(String, Float, Float, BufferFunction, (Double) -> Double, (Float) -> Float)] = [
    (
      "exp", -87.3, 88.7, { VectorMath.exp($0, $1, count: $2, using: path) }, { Glibc.exp($0) },
      { expf($0) }
    ),
    (
      "log", 1e-30, 1e30, { VectorMath.log($0, $1, count: $2, using: path) }, { Glibc.log($0) },
      { logf($0) }
    ),
    (
      "tanh", -12, 12, { VectorMath.tanh($0, $1, count: $2, using: path) }, { Glibc.tanh($0) },
      { tanhf($0) }
    ),
    (
      "sigmoid", -80, 40, { VectorMath.sigmoid($0, $1, count: $2, using: path) },
      { 1 / (1 + Glibc.exp(-$0)) }, { 1 / (1 + expf(-$0)) }
    ),
  ]
  let count = 1 << 20
  for (name, low, high, function, exact, scalar) in cases {
    // Log-spaced for log, linear otherwise.
    let inputs: [Float] = (0..<count).map { index in
      let t = Float(index) / Float(count - 1)
      return name == "log"
        ? Float(
          Glibc.exp(Glibc.log(Double(low)) * Double(1 - t) + Glibc.log(Double(high)) * Double(t)))
        : low + (high - low) * t
    }
    var outputs = [Float](repeating: 0, count: count)
    var absolute = 0.0
    var relative = 0.0
    function(inputs, &outputs, count)
    for (x, y) in zip(inputs, outputs) {
      let truth = exact(Double(x))
      let difference = abs(Double(y) - truth)
      absolute = max(absolute, difference)
      if truth != 0 { relative = max(relative, difference / abs(truth)) }
    }
    var best = Double.infinity
    var scalarBest = Double.infinity
    for _ in 0..<10 {
      var start = ContinuousClock.now
      function(inputs, &outputs, count)
      best = min(best, seconds(ContinuousClock.now - start))
      start = ContinuousClock.now
      outputs.withUnsafeMutableBufferPointer { out in
        for index in 0..<count { out[index] = scalar(inputs[index]) }
      }
      scalarBest = min(scalarBest, seconds(ContinuousClock.now - start))
    }
    print(
      "\(path) \(name): max abs error \(absolute), max rel error \(relative); "
        + "\(Double(count) / best / 1e9) G/s (libm loop \(Double(count) / scalarBest / 1e9) G/s)")
  }
}

private func seconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}
