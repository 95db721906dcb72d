// CommandLine: argv → Invocation. A small option parser of our own (no dependencies): each
// command declares the options it takes; anything else is a usage error (exit status 2).

/// What the user asked for.
public struct Invocation: Equatable, Sendable {
  public var command: CommandName
  /// Positional arguments (files).
  public var files: [String]
  /// Options given, by long name without dashes; flags map to "".
  public var options: [String: String]

  public init(command: CommandName, files: [String] = [], options: [String: String] = [:]) {
    self.command = command
    self.files = files
    self.options = options
  }

  public func has(_ flag: String) -> Bool { options[flag] != nil }
}

/// The subcommands.
public enum CommandName: String, CaseIterable, Equatable, Sendable {
  case run, check, summary, evaluate, predict, graph, gradcheck, export, bench, help, version
}

/// A command-line mistake; rendered as `netlang: error: ...` plus a usage hint.
public struct UsageError: Error, Equatable, Sendable {
  public var message: String
  public var command: CommandName?
  public init(_ message: String, command: CommandName? = nil) {
    self.message = message
    self.command = command
  }
}

/// One option a command accepts.
struct OptionSpec {
  enum ValueKind { case flag, integer, number, path, name }
  var name: String
  var kind: ValueKind
  var help: String
  /// Hidden options work but are not listed by `help` (test hooks).
  var hidden = false
}

/// Parses argv (without the program name).
public enum CommandLineParser {
  static let trainingOptions: [OptionSpec] = [
    OptionSpec(name: "epochs", kind: .integer, help: "override every train task's epochs"),
    OptionSpec(name: "batch", kind: .integer, help: "override every train task's batch size"),
    OptionSpec(name: "lr", kind: .number, help: "override the optimizer's learning rate"),
    OptionSpec(name: "seed", kind: .integer, help: "override every task's seed"),
    OptionSpec(
      name: "threads", kind: .integer,
      help: "threads for big kernels (default: every core, at most 8)"),
    OptionSpec(name: "save", kind: .path, help: "write the trained weights (safetensors)"),
    OptionSpec(name: "load", kind: .path, help: "read weights (safetensors) before running"),
    OptionSpec(name: "log-json", kind: .path, help: "write JSON Lines events to PATH"),
    OptionSpec(name: "quiet", kind: .flag, help: "print only results, no per-epoch lines"),
    OptionSpec(
      name: "out", kind: .path,
      help: "folder for checkpoints and pictures (default: out/ beside FILE)"),
    OptionSpec(name: "plot", kind: .path, help: "write training and validation loss as SVG"),
    OptionSpec(
      name: "profile", kind: .flag,
      help: "after each train task, list where its time went by line of the model"),
    OptionSpec(
      name: "checkpoint", kind: .path,
      help:
        "checkpoint written on interrupt and at the end (default: <out>/<Model>.checkpoint.safetensors)"
    ),
    OptionSpec(
      name: "checkpoint-every", kind: .integer, help: "also write a checkpoint every N epochs"),
    OptionSpec(
      name: "keep", kind: .integer, help: "keep the last N periodic checkpoints (default 1)"),
    OptionSpec(name: "resume", kind: .path, help: "continue the run saved in a checkpoint"),
    OptionSpec(name: "watch", kind: .flag, help: "re-check and re-run whenever the file is saved"),
    OptionSpec(
      name: "stop-after-steps", kind: .integer, help: "act as if interrupted after N steps",
      hidden: true),
    OptionSpec(
      name: "watch-cycles", kind: .integer, help: "stop watching after N checks", hidden: true),
  ]

  /// Options per command.
  static func options(for command: CommandName) -> [OptionSpec] {
    switch command {
    case .run: trainingOptions
    case .evaluate:
      trainingOptions.filter {
        ["load", "threads", "log-json", "quiet", "batch"].contains($0.name)
      }
    case .check:
      [
        OptionSpec(name: "watch", kind: .flag, help: "re-check whenever a file is saved"),
        OptionSpec(
          name: "watch-cycles", kind: .integer, help: "stop watching after N checks",
          hidden: true),
      ]
    case .summary: []
    case .predict:
      [
        OptionSpec(name: "load", kind: .path, help: "trained weights (safetensors)"),
        OptionSpec(name: "data", kind: .name, help: "the data declaration to predict on"),
        OptionSpec(name: "model", kind: .name, help: "the model (default: the first)"),
        OptionSpec(name: "out", kind: .path, help: "write the CSV here instead of stdout"),
        OptionSpec(name: "batch", kind: .integer, help: "examples per forward pass"),
        OptionSpec(
          name: "threads", kind: .integer,
          help: "threads for big kernels (default: every core, at most 8)"),
      ]
    case .export:
      [
        OptionSpec(name: "load", kind: .path, help: "trained weights (safetensors)"),
        OptionSpec(name: "output", kind: .path, help: "the ONNX file to write (also -o)"),
        OptionSpec(name: "model", kind: .name, help: "the model (default: the first)"),
      ]
    case .bench:
      [
        OptionSpec(name: "threads", kind: .integer, help: "threads (default 1)"),
        OptionSpec(name: "only", kind: .name, help: "comma-separated workloads to run"),
        OptionSpec(name: "json", kind: .flag, help: "one JSON object per line"),
        OptionSpec(name: "repetitions", kind: .integer, help: "timed repetitions per workload"),
        OptionSpec(
          name: "profile", kind: .flag,
          help: "also time every node of one more repetition and list them by time"),
        OptionSpec(
          name: "scaling", kind: .flag,
          help: "time 1 thread and --threads N in turns in one process and print the gain"),
      ]
    case .graph:
      [
        OptionSpec(name: "dot", kind: .flag, help: "print Graphviz DOT instead of text"),
        OptionSpec(name: "model", kind: .name, help: "the model to show (default: the first)"),
        OptionSpec(name: "batch", kind: .integer, help: "batch size shown (default: symbolic)"),
      ]
    case .gradcheck:
      [
        OptionSpec(name: "batch", kind: .integer, help: "examples in the batch (default 4)"),
        OptionSpec(name: "seed", kind: .integer, help: "seed for weights and sampling"),
        OptionSpec(
          name: "tolerance", kind: .number, help: "largest relative error allowed (default 1e-2)"),
      ]
    case .help, .version: []
    }
  }

  /// How many files a command takes.
  static func fileCount(for command: CommandName) -> ClosedRange<Int> {
    switch command {
    case .check: 1...Int.max
    case .help: 0...1
    case .version: 0...0
    case .bench: 0...0
    default: 1...1
    }
  }

  public static func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
    guard let first = arguments.first else { return Invocation(command: .help) }
    switch first {
    case "--help", "-h": return Invocation(command: .help, files: Array(arguments.dropFirst()))
    case "--version", "-V": return Invocation(command: .version)
    default: break
    }
    guard let command = CommandName(rawValue: first) else {
      let names = CommandName.allCases.map(\.rawValue)
      var message = "unknown command '\(first)'"
      if first.hasSuffix(".net") {
        message += "; to run a file, use 'netlang run \(first)'"
      } else if let guess = closestName(to: first, among: names) {
        message += "; did you mean '\(guess)'?"
      }
      throw UsageError(message)
    }
    let specs = options(for: command)
    var invocation = Invocation(command: command)
    var index = 1
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if argument == "--help" || argument == "-h" {
        return Invocation(command: .help, files: [command.rawValue])
      }
      if argument == "-o", specs.contains(where: { $0.name == "output" }) {
        guard index < arguments.count else {
          throw UsageError("option '-o' needs a value", command: command)
        }
        invocation.options["output"] = arguments[index]
        index += 1
        continue
      }
      if argument == "--" {
        invocation.files += arguments[index...]
        break
      }
      guard argument.hasPrefix("--"), argument.count > 2 else {
        if argument.hasPrefix("-"), argument.count > 1 {
          throw UsageError("unknown option '\(argument)'", command: command)
        }
        invocation.files.append(argument)
        continue
      }
      var name = String(argument.dropFirst(2))
      var inlineValue: String?
      if let equal = name.firstIndex(of: "=") {
        inlineValue = String(name[name.index(after: equal)...])
        name = String(name[..<equal])
      }
      guard let spec = specs.first(where: { $0.name == name }) else {
        var message = "'\(command.rawValue)' has no option '--\(name)'"
        if let guess = closestName(to: name, among: specs.map(\.name)) {
          message += "; did you mean '--\(guess)'?"
        }
        throw UsageError(message, command: command)
      }
      if spec.kind == .flag {
        if inlineValue != nil {
          throw UsageError("option '--\(name)' takes no value", command: command)
        }
        invocation.options[name] = ""
        continue
      }
      let value: String
      if let inlineValue {
        value = inlineValue
      } else if index < arguments.count {
        value = arguments[index]
        index += 1
      } else {
        throw UsageError("option '--\(name)' needs a value", command: command)
      }
      try validate(value, for: spec, command: command)
      invocation.options[name] = value
    }
    let allowed = fileCount(for: command)
    if invocation.files.count < allowed.lowerBound {
      throw UsageError("missing FILE argument", command: command)
    }
    if invocation.files.count > allowed.upperBound {
      let extra = invocation.files[allowed.upperBound]
      throw UsageError("unexpected argument '\(extra)'", command: command)
    }
    if command == .help, let topic = invocation.files.first, CommandName(rawValue: topic) == nil {
      throw UsageError("no help for '\(topic)': not a command")
    }
    return invocation
  }

  private static func validate(
    _ value: String, for spec: OptionSpec, command: CommandName
  ) throws(UsageError) {
    switch spec.kind {
    case .integer:
      guard let number = Int(value), number >= (spec.name == "seed" ? 0 : 1) else {
        let least = spec.name == "seed" ? "0" : "1"
        throw UsageError(
          "option '--\(spec.name)' needs a whole number ≥ \(least), not '\(value)'",
          command: command)
      }
      _ = number
    case .number:
      guard let number = Double(value), number.isFinite, number > 0 else {
        throw UsageError(
          "option '--\(spec.name)' needs a positive number, not '\(value)'", command: command)
      }
    case .path, .name:
      if value.isEmpty || value.hasPrefix("--") {
        throw UsageError("option '--\(spec.name)' needs a value", command: command)
      }
    case .flag:
      break
    }
  }
}

extension CommandLineParser {
  /// The candidate closest to `name` by edit distance, if it is close enough to be a typo.
  static func closestName(to name: String, among candidates: [String]) -> String? {
    let target = Array(name)
    var best: (name: String, distance: Int)?
    for candidate in candidates {
      let distance = editDistance(target, Array(candidate))
      if distance <= max(1, min(target.count, candidate.count) / 3),
        best.map({ distance < $0.distance }) ?? true
      {
        best = (candidate, distance)
      }
    }
    return best?.name
  }

  /// Levenshtein distance; long inputs are not compared (they are never typos of short names).
  static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    if abs(a.count - b.count) > 8 || a.count > 64 || b.count > 64 { return Int.max / 2 }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      }
      swap(&previous, &current)
    }
    return previous[b.count]
  }
}
