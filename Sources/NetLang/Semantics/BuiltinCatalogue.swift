// BuiltinCatalogue: the signature of every built-in (grammar.md sections 5-7): parameter
// names, defaults and kinds. The families live in Builtins*.swift; evaluation is in the
// checker (ModelOperations, DataDeclarations, TaskChecker).

/// What an argument must be.
enum ParameterKind: Equatable {
  case tensor
  case number
  /// A number > 0 (learning rates, epsilons, standard deviations, gammas).
  case positive
  /// A number ≥ 0 (momentum, weight decay, noise).
  case nonNegative
  /// A whole number at least `minimum`.
  case whole(minimum: Int)
  /// A number in `0...1` (`upper` open when `openUpper`).
  case fraction(openUpper: Bool)
  case string
  case boolean
  /// A whole number ≥ `minimum` or a list `[height, width]` of them (kernel, stride, padding).
  case window(minimum: Int)
  /// A list of whole numbers (reshape's target, may contain -1).
  case dimensions
  case dataSet
  /// `standardize:` of csv: a boolean or a data set.
  case booleanOrDataSet
  /// A data field or model output written as a bare name (losses).
  case fieldName
  /// One of the listed strings.
  case choice([String])
}

/// How a parameter gets its value when the call leaves it out.
enum ParameterDefault: Equatable {
  case required
  case value(Value)
  /// Left out means "none" (e.g. idx's `labels:`).
  case absent
  /// The value of another parameter (pooling's `stride: size`).
  case sameAs(String)
}

/// One parameter of a built-in.
struct BuiltinParameter: Equatable {
  var name: String
  var kind: ParameterKind
  var defaultValue: ParameterDefault

  init(_ name: String, _ kind: ParameterKind, _ defaultValue: ParameterDefault = .required) {
    self.name = name
    self.kind = kind
    self.defaultValue = defaultValue
  }

  var isRequired: Bool { defaultValue == .required }
}

/// Where a built-in may be called.
enum BuiltinFamily: Equatable {
  /// Tensor operations: model and block bodies.
  case model
  /// Data sources: the right side of `data`.
  case data
  /// Losses: a task's `loss =`.
  case loss
  /// Optimizers: a task's `optimizer =`.
  case optimizer
  /// Learning-rate schedules: a task's `schedule =`.
  case schedule
  /// Anywhere (`range`).
  case constant
}

/// A built-in function.
struct Builtin: Equatable {
  var name: String
  var family: BuiltinFamily
  var parameters: [BuiltinParameter]
  /// Extra positional arguments of this kind are collected (concat's tensors).
  var variadic: ParameterKind?
  /// Any label is accepted, each one a field (table).
  var acceptsAnyLabel = false

  init(
    _ name: String, _ family: BuiltinFamily, _ parameters: [BuiltinParameter],
    variadic: ParameterKind? = nil, acceptsAnyLabel: Bool = false
  ) {
    self.name = name
    self.family = family
    self.parameters = parameters
    self.variadic = variadic
    self.acceptsAnyLabel = acceptsAnyLabel
  }

  func parameter(named name: String) -> BuiltinParameter? {
    parameters.first { $0.name == name }
  }
}

/// Every built-in by name.
enum Builtins {
  static let all: [String: Builtin] = {
    var table: [String: Builtin] = [:]
    for builtin in modelBuiltins + dataBuiltins + taskBuiltins + constantBuiltins {
      table[builtin.name] = builtin
    }
    return table
  }()

  /// Built-in values that are not calls.
  static let values: [String: Value] = ["true": .boolean(true), "false": .boolean(false)]

  static let constantBuiltins: [Builtin] = [
    Builtin("range", .constant, [BuiltinParameter("n", .whole(minimum: 0))])
  ]

  /// The most elements `range(n)` may give (the loop limit, grammar.md section 4).
  static let maximumRange = 100_000
  /// The most elements all `range` calls of a program may make together.
  static let maximumRangeElements = 1_000_000
}
