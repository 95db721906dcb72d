// CheckerRobustnessTests: the checker never traps. Examples and fixtures are mutated token by
// token (seeded), and every mutant the parser accepts is checked. NETLANG_FUZZ=n runs n
// mutants instead of the default few hundred.

import Foundation
import Testing

@testable import NetLang

/// Words and symbols spliced into mutants: built-ins, keywords, odd numbers and shapes.
private let vocabulary = [
  "x", "h", "dense(h, 3)", "conv2d(x, 2, 3)", "[1, 2]", "[]", "0", "-1", "1e9", "2.5", "1e300",
  "range(3)", "true", "\"s\"", "relu", "lstm(h, 4)", "flatten(x)", "+", "*", "/", "-", "(",
  ")", "[", "]", ",", ":", ".", "size", "heldout", "name:", "repeat 3 {", "}", "\n", "for i in",
  "return h", "output z =", "input q: [3]", "concat(x, x, axis: 5)", "reshape(x, [-1])",
  "embedding(x, 5, 2)", "maxpool(x, 9)", "b(x)", "mnist", "LeNet", "novel.vocab",
]

/// A small deterministic generator (SplitMix64).
private struct Mixer {
  var state: UInt64
  mutating func next(_ bound: Int) -> Int {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return Int(z % UInt64(max(1, bound)))
  }
}

@Test("mutated programs never crash the checker")
func mutantsDoNotCrash() throws {
  let count = Int(ProcessInfo.processInfo.environment["NETLANG_FUZZ"] ?? "") ?? 300
  var seeds: [String] = exampleNames.compactMap { name in
    FileManager.default.contents(atPath: examplesDirectory.appendingPathComponent(name).path)
      .map { String(decoding: $0, as: UTF8.self) }
  }
  let diagnosticsFolder = fixturesDirectory.appendingPathComponent("diagnostics")
  for name in fixtureNames(prefix: "") {
    if let data = FileManager.default.contents(
      atPath: diagnosticsFolder.appendingPathComponent(name + ".net").path)
    {
      seeds.append(String(decoding: data, as: UTF8.self))
    }
  }
  #expect(!seeds.isEmpty)
  let seed = UInt64(ProcessInfo.processInfo.environment["NETLANG_FUZZ_SEED"] ?? "") ?? 42
  var mixer = Mixer(state: seed)
  var checked = 0
  for _ in 0..<count {
    var words = seeds[mixer.next(seeds.count)].split(
      separator: " ", omittingEmptySubsequences: false
    )
    .map(String.init)
    for _ in 0..<(1 + mixer.next(4)) {
      guard !words.isEmpty else { break }
      let index = mixer.next(words.count)
      switch mixer.next(3) {
      case 0: words[index] = vocabulary[mixer.next(vocabulary.count)]
      case 1: words.insert(vocabulary[mixer.next(vocabulary.count)], at: index)
      default: words.remove(at: index)
      }
    }
    let source = words.joined(separator: " ")
    let result = check(source)
    if !result.diagnostics.contains(where: { $0.code.number < 200 }) { checked += 1 }
    // Every diagnostic points into a file the result knows.
    for diagnostic in result.diagnostics {
      #expect(diagnostic.span.file.rawValue < result.files.files.count)
    }
    _ = rendered(result)
  }
  #expect(checked >= count / 40, "only \(checked) of \(count) mutants reached the checker")
}

/// Random calls of every built-in on random arguments: most are errors, none may trap.
@Test("random built-in calls never crash the checker")
func randomCallsDoNotCrash() {
  let count = Int(ProcessInfo.processInfo.environment["NETLANG_FUZZ"] ?? "") ?? 200
  let seed = UInt64(ProcessInfo.processInfo.environment["NETLANG_FUZZ_SEED"] ?? "") ?? 7
  var mixer = Mixer(state: seed)
  let names = Builtins.all.keys.sorted()
  let atoms = [
    "x", "s", "q", "0", "1", "2", "3", "-1", "0.5", "1e10", "2147483648", "[2, 2]", "[1, -1]",
    "[0, 3]", "[]", "true", "\"xavier\"", "\"normal\"", "\"\"", "d", "d.size", "range(2)",
  ]
  let labels = [
    "", "", "", "axis: ", "name: ", "stride: ", "padding: ", "init: ", "units: ", "bias: ",
    "size: ", "std: ", "from: ", "to: ",
  ]
  func expression(_ depth: Int) -> String {
    if depth > 2 || mixer.next(3) == 0 { return atoms[mixer.next(atoms.count)] }
    let arguments = (0..<mixer.next(4)).map { _ in
      labels[mixer.next(labels.count)] + expression(depth + 1)
    }
    let operators = ["+", "-", "*", "/"]
    if mixer.next(5) == 0 {
      return expression(depth + 1) + " \(operators[mixer.next(4)]) " + expression(depth + 1)
    }
    return names[mixer.next(names.count)] + "(" + arguments.joined(separator: ", ") + ")"
  }
  for _ in 0..<count {
    let lines = (0..<(1 + mixer.next(4))).map { _ in "    x = \(expression(0))" }
    let source =
      "data d = xor()\nmodel M {\n    input x: [3, 8, 8]\n    input s: [5]\n    q = 2\n"
      + lines.joined(separator: "\n") + "\n    output y = \(expression(0))\n}\n"
      + "train M on d {\n    loss = mse(y, \(["x", "y", "label"][mixer.next(3)]))\n}\n"
    let result = check(source)
    _ = rendered(result)
  }
}
