// swift-tools-version:6.0
// Package.swift — read top to bottom, this is the pipeline:
// Tensor (numbers) → Graph (IR, autodiff, executor) → Training (data, optimizers, loop)
// → NetLang (source → diagnostics → checked model → graph; the driver) → netlang (thin CLI).
import PackageDescription

/// Release builds optimise across module boundaries so kernels inline into the executor.
let optimize: [SwiftSetting] = [
  .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))
]

let package = Package(
  name: "netlang",
  products: [
    .library(name: "NetLang", targets: ["NetLang"]),
    .executable(name: "netlang", targets: ["netlang"]),
  ],
  targets: [
    // Numbers: shapes, tensors, kernels. No syntax, no graph.
    .target(name: "NetLangTensor", swiftSettings: optimize),
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
    .testTarget(name: "NetLangGraphTests", dependencies: ["NetLangGraph", "NetLangTensor"]),
    .testTarget(
      name: "NetLangTrainingTests",
      dependencies: ["NetLangTraining", "NetLangGraph", "NetLangTensor"]),
    .testTarget(
      name: "NetLangTests", dependencies: ["NetLang"],
      exclude: ["Fixtures"]),
  ]
)
