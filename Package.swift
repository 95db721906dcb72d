// swift-tools-version:6.0
// Package.swift — read top to bottom, this is the pipeline:
// Tensor (numbers) → Graph (IR, autodiff, executor) → Training (data, optimizers, loop)
// → NetLang (source → diagnostics → checked model → graph; the driver) → netlang (thin CLI).
import PackageDescription

/// Release builds optimise across module boundaries so kernels inline into the executor.
let optimize: [SwiftSetting] = [
  .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))
]

/// SIMD micro-kernel targets get their instruction set from these flags. Code built with them
/// dies with "illegal instruction" on older CPUs, so NetLangTensor calls into these targets only
/// after a run-time CPU check (see CPUFeatures.swift), and falls back to portable SIMD.
/// They are optimised in debug builds too: unoptimised SIMD code is ~1000× slower, which
/// would make every debug test that trains a model crawl.
let kernelsAlwaysOptimized: SwiftSetting = .unsafeFlags(["-O"], .when(configuration: .debug))
#if arch(x86_64)
  let avx2Flags: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma"]), kernelsAlwaysOptimized,
  ]
  let avx512Flags: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-mavx512f", "-Xcc", "-mavx512vl", "-Xcc", "-mavx2", "-Xcc", "-mfma"]),
    kernelsAlwaysOptimized,
  ]
#else
  let avx2Flags: [SwiftSetting] = [kernelsAlwaysOptimized]
  let avx512Flags: [SwiftSetting] = [kernelsAlwaysOptimized]
#endif

let package = Package(
  name: "netlang",
  products: [
    .library(name: "NetLang", targets: ["NetLang"]),
    .executable(name: "netlang", targets: ["netlang"]),
  ],
  targets: [
    // Numbers: shapes, tensors, kernels. No syntax, no graph.
    .target(
      name: "NetLangTensor", dependencies: ["NetLangKernelsAVX2", "NetLangKernelsAVX512"],
      swiftSettings: optimize),
    // SGEMM micro-kernels and vector math per instruction set; no cross-module inlining, so
    // their code never lands in a caller built for a plainer CPU.
    .target(name: "NetLangKernelsAVX2", swiftSettings: avx2Flags),
    .target(name: "NetLangKernelsAVX512", swiftSettings: avx512Flags),
    // Graph IR, verifier, reverse-mode autodiff, execution plan and executor.
    .target(name: "NetLangGraph", dependencies: ["NetLangTensor"], swiftSettings: optimize),
    // Data sets, optimizers, checkpoints, the training loop. Returns reports; never prints.
    .target(
      name: "NetLangTraining", dependencies: ["NetLangGraph", "NetLangTensor"],
      swiftSettings: optimize),
    // Source text → diagnostics → checked model → graph; plus the driver.
    .target(
      name: "NetLang", dependencies: ["NetLangGraph", "NetLangTraining", "NetLangTensor"],
      swiftSettings: optimize),
    // Thin CLI: argv → Driver → output + exit status.
    .executableTarget(name: "netlang", dependencies: ["NetLang"], swiftSettings: optimize),

    .testTarget(name: "NetLangTensorTests", dependencies: ["NetLangTensor"]),
    // The tests' allocation counter (malloc and friends, forwarded to glibc's).
    .target(name: "MallocCounter", path: "Tests/MallocCounter"),
    .testTarget(
      name: "NetLangGraphTests", dependencies: ["NetLangGraph", "NetLangTensor", "MallocCounter"]),
    .testTarget(
      name: "NetLangTrainingTests",
      dependencies: ["NetLangTraining", "NetLangGraph", "NetLangTensor"]),
    .testTarget(
      name: "NetLangTests", dependencies: ["NetLang"],
      exclude: ["Fixtures"]),
  ]
)
