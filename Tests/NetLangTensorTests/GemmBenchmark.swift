// GemmBenchmark: GFLOP/s of Gemm at the sizes compared with numpy in Tests/Benchmarks. Not a
// timed test: it runs only with NETLANG_BENCH=1, by hand, in a release build:
//   NETLANG_BENCH=1 swift test -c release --filter GemmBenchmark

import NetLangTensor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

private let benchmarkEnabled = getenv("NETLANG_BENCH") != nil

@Test("GEMM throughput (prints GFLOP/s)", .enabled(if: benchmarkEnabled))
func gemmBenchmark() {
  let standard: [(Bool, Bool, Int, Int, Int)] = [
    (false, false, 256, 256, 256), (false, false, 512, 512, 512),
    (false, false, 1024, 1024, 1024), (false, true, 64, 512, 784), (false, false, 64, 784, 512),
    (true, false, 784, 512, 64), (false, true, 64, 784, 512), (true, true, 256, 256, 256),
  ]
  // NETLANG_BENCH_SHAPES="ta,tb,m,n,k;..." (ta, tb as 0/1) replaces the list.
  let custom = getenv("NETLANG_BENCH_SHAPES").map { String(cString: $0) } ?? ""
  let shapes =
    custom.isEmpty
    ? standard
    : custom.split(separator: ";").compactMap { item -> (Bool, Bool, Int, Int, Int)? in
      let v = item.split(separator: ",").compactMap { Int($0) }
      return v.count == 5 ? (v[0] != 0, v[1] != 0, v[2], v[3], v[4]) : nil
    }
  let threads = Int(getenv("NETLANG_BENCH_THREADS").map { String(cString: $0) } ?? "1") ?? 1
  let pool = threads > 1 ? WorkerPool(threads: threads) : nil
  let kernelName = getenv("NETLANG_BENCH_KERNEL").map { String(cString: $0) }
  let base = GemmKernel.available.first { $0.name == kernelName } ?? GemmKernel.best
  // NETLANG_BENCH_BLOCKS="KC,MC,NC[,inPlaceBRows];..." : each configuration in turn, trial by
  // trial, so a slow spell of the machine falls on all of them alike.
  var kernels: [GemmKernel] = []
  for item in (getenv("NETLANG_BENCH_BLOCKS").map { String(cString: $0) } ?? "").split(
    separator: ";")
  {
    let sizes = item.split(separator: ",").compactMap { Int($0) }
    guard sizes.count >= 3 else { continue }
    var kernel = base.withBlocks(depth: sizes[0], rows: sizes[1], columns: sizes[2])
    if sizes.count == 4 { kernel.inPlaceBRows = sizes[3] }
    kernels.append(kernel)
  }
  if kernels.isEmpty { kernels = [base] }
  let cold = getenv("NETLANG_BENCH_COLD") != nil
  var evict = [Float](repeating: 0, count: cold ? 1 << 24 : 0)
  for (ta, tb, m, n, k) in shapes {
    let a = randomFloats(m * k, seed: 1)
    let b = randomFloats(k * n, seed: 2)
    var c = [Float](repeating: 0, count: m * n)
    let flops = 2.0 * Double(m * n * k)
    // NETLANG_BENCH_COLD=1: one product per timing, after writing 64 MiB to push A and B
    // out of the caches (as a training step leaves its weights).
    let repeats = cold ? 1 : max(2, Int(5e8 / flops))
    var best = [Double](repeating: .infinity, count: kernels.count)
    for _ in 0..<25 {
      for (index, kernel) in kernels.enumerated() {
        if cold { evict.withUnsafeMutableBufferPointer { $0.update(repeating: 1) } }
        let start = ContinuousClock.now
        for _ in 0..<repeats {
          Gemm.multiply(
            transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1, a: a, lda: ta ? m : k,
            b: b, ldb: tb ? k : n, beta: 0, c: &c, ldc: n, pool: pool, kernel: kernel)
        }
        let elapsed = ContinuousClock.now - start
        let seconds =
          Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        best[index] = min(best[index], seconds / Double(repeats))
      }
    }
    let label = "\(m)x\(n)x\(k) ta=\(ta) tb=\(tb)"
    for (kernel, best) in zip(kernels, best) {
      let blocks = "\(kernel.depthBlock),\(kernel.rowBlock),\(kernel.columnBlock)"
      print(
        "\(kernel.name) \(blocks) t=\(threads) \(label): \(Int(flops / best / 1e9)) GFLOP/s  \(Int(best * 1e6)) us"
      )
    }
  }
}
