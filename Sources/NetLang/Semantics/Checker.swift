// Checker: the Semantics stage. Builds the global name table of a main file and its imports,
// evaluates constants and data, unrolls every model into a `CheckedModel` and checks the main
// file's tasks. Expressions, calls, statements and tasks are in the extensions beside this.

import NetLangTensor
import NetLangTraining

/// Checks parsed units and produces a `CheckedProgram` (nil when there are errors).
struct Checker {
  /// Most steps (statements and calls) one model may take to unroll: a guard against
  /// loops that make no tensors but would run for hours.
  static let maximumSteps = 1_000_000
  /// Deepest nesting of block calls (grammar.md section 4).
  static let maximumCallDepth = 64
  /// Deepest expression evaluation; the parser stops at 256.
  static let maximumExpressionDepth = 400

  let files: SourceFiles
  /// Every unit, imports before the files that import them.
  let units: [SourceUnit]
  let mainFile: FileID
  /// The directory of each file, for relative data paths ("" for the current directory).
  let directories: [FileID: String]
  let inspectData: (DataSourceSpec) throws(DataError) -> DataSchema

  var diagnostics: [Diagnostic] = []
  var globals: [String: GlobalEntry] = [:]
  var states: [String: EvaluationState] = [:]
  var dataSets: [CheckedData] = []
  var models: [String: CheckedModel] = [:]
  var modelOrder: [String] = []

  // The model being unrolled.
  var context: EvaluationContext = .constant
  var builder: ModelBuilder?
  var frame: Frame?
  var callDepth = 0
  var expressionDepth = 0
  var steps = 0
  /// Set when a limit stopped the current model; evaluation then unwinds quietly.
  var aborted = false
  var usage = UsageTracker()
  /// Blocks inlined at least once; the others are only name-checked.
  var calledBlocks: Set<String> = []
  /// The block calls being inlined, innermost last.
  var blockCalls: [(name: String, span: SourceSpan)] = []
  /// Elements made by `range` so far, against `Builtins.maximumRangeElements`.
  var rangeElements = 0
  /// The data declaration being evaluated: its name, file and right-hand side.
  var currentData: (name: String, file: FileID, valueSpan: SourceSpan)?

  init(
    files: SourceFiles, units: [SourceUnit], mainFile: FileID, directories: [FileID: String],
    inspectData: @escaping (DataSourceSpec) throws(DataError) -> DataSchema
  ) {
    self.files = files
    self.units = units
    self.mainFile = mainFile
    self.directories = directories
    self.inspectData = inspectData
  }

  /// Runs every check; the program is nil when an error was reported.
  mutating func run() -> CheckedProgram? {
    collectGlobals()
    checkStructure()
    for unit in units {
      for declaration in unit.declarations {
        switch declaration {
        case .letDecl(let decl): _ = globalValue(decl.name.name, at: decl.name.span)
        case .dataDecl(let decl): _ = globalValue(decl.name.name, at: decl.name.span)
        case .modelDecl(let decl): checkModel(decl)
        default: break
        }
      }
    }
    resolveUncalledBlocks()
    // Unused names are reported only once the program is otherwise clean: a failed
    // expression would leave the names it mentions looking unused.
    if !diagnostics.hasErrors { reportUnused() }
    var tasks: [CheckedTask] = []
    for unit in units where unit.file == mainFile {
      tasks = checkTasks(unit)
    }
    diagnostics = deduplicated(diagnostics)
    if diagnostics.hasErrors { return nil }
    return CheckedProgram(
      models: modelOrder.compactMap { models[$0] }, dataSets: dataSets, tasks: tasks)
  }

  /// Records a diagnostic; one found while inlining a block says which call it came from.
  mutating func report(_ diagnostic: Diagnostic) {
    var diagnostic = diagnostic
    if let call = blockCalls.last, diagnostic.severity == .error, call.span != diagnostic.span {
      diagnostic = diagnostic.with(.note("in block '\(call.name)' called here", at: call.span))
    }
    diagnostics.append(diagnostic)
  }

  /// The same diagnostic from several loop repetitions or inlinings is shown once.
  private func deduplicated(_ list: [Diagnostic]) -> [Diagnostic] {
    var seen: Set<String> = []
    var kept: [Diagnostic] = []
    for diagnostic in list {
      let span = diagnostic.span
      let key =
        "\(diagnostic.severity) \(diagnostic.code) \(span.file.rawValue):\(span.start)-\(span.end) \(diagnostic.message)"
      if seen.insert(key).inserted { kept.append(diagnostic) }
    }
    return kept
  }

  // MARK: Globals

  /// Enters every top-level name; a name declared twice is E0202.
  private mutating func collectGlobals() {
    for unit in units {
      for declaration in unit.declarations {
        let entry: GlobalEntry
        switch declaration {
        case .letDecl(let decl):
          entry = GlobalEntry(declaration: .constant(decl), name: decl.name, file: unit.file)
        case .dataDecl(let decl):
          entry = GlobalEntry(declaration: .data(decl), name: decl.name, file: unit.file)
        case .blockDecl(let decl):
          entry = GlobalEntry(declaration: .block(decl), name: decl.name, file: unit.file)
        case .modelDecl(let decl):
          entry = GlobalEntry(declaration: .model(decl), name: decl.name, file: unit.file)
        default: continue
        }
        if let previous = globals[entry.name.name] {
          report(SemanticDiagnostics.duplicateDeclaration(entry.name, previous: previous.name))
        } else if Builtins.values[entry.name.name] != nil {
          report(SemanticDiagnostics.builtinRedefined(entry.name))
        } else {
          if case .block = entry.declaration, Builtins.all[entry.name.name] != nil {
            report(SemanticDiagnostics.builtinRedefined(entry.name))
            continue
          }
          globals[entry.name.name] = entry
        }
      }
    }
  }

  /// The value of a top-level constant or data set, evaluated on first use.
  mutating func globalValue(_ name: String, at span: SourceSpan) -> Value {
    switch states[name] {
    case .done(let value): return value
    case .inProgress:
      report(SemanticDiagnostics.cyclicDefinition(name, at: span))
      return .invalid
    case nil: break
    }
    guard let entry = globals[name] else { return .invalid }
    states[name] = .inProgress
    // Constants and data are evaluated outside any model, whoever asked for them.
    let saved = (context, builder, frame, callDepth, expressionDepth, blockCalls)
    blockCalls = []
    context = .constant
    builder = nil
    frame = nil
    callDepth = 0
    expressionDepth = 0
    var value = Value.invalid
    switch entry.declaration {
    case .constant(let decl):
      value = evaluate(decl.value)
      if case .tensor = value { value = .invalid }
    case .data(let decl):
      value = evaluateDataDeclaration(decl, file: entry.file)
    case .block, .model:
      break
    }
    (context, builder, frame, callDepth, expressionDepth, blockCalls) = saved
    states[name] = .done(value)
    return value
  }

  /// Names visible everywhere: top-level declarations and built-in values.
  var globalNames: [String] { Array(globals.keys) + Array(Builtins.values.keys) }

  // MARK: Unused names

  private mutating func reportUnused() {
    let entries = usage.unusedEntries.sorted { $0.span.start < $1.span.start }
    for entry in entries where entry.span.file == mainFile && entry.role != .output {
      report(SemanticDiagnostics.unusedName(entry.name, role: entry.role, at: entry.span))
    }
  }
}
