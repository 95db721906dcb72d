// AST: the syntax tree the parser builds from tokens. Plain values; every node has a span.
// Nothing here is resolved or checked: that is Semantics' job.
//
// NOTE: binary operators of one precedence level are stored as a flat chain
// (`a + b - c` is one `.binary` with two terms), so a sum of a million terms is a wide node,
// not a million-deep tree that would overflow the stack when walked or freed.

/// A parsed file: its declarations in source order.
public struct SourceUnit: Equatable, Sendable {
  public var file: FileID
  public var declarations: [Decl]
  public init(file: FileID, declarations: [Decl]) {
    self.file = file
    self.declarations = declarations
  }
}

/// A name as written, with its location.
public struct Identifier: Equatable, Hashable, Sendable {
  public var name: String
  public var span: SourceSpan
  public init(_ name: String, _ span: SourceSpan) {
    self.name = name
    self.span = span
  }
}

/// A top-level declaration.
public enum Decl: Equatable, Sendable {
  /// `import "path.net"`
  case importDecl(ImportDecl)
  /// `let name = expr`
  case letDecl(LetDecl)
  /// `data name = source(...)`
  case dataDecl(DataDecl)
  /// `block name(params) { statements }`
  case blockDecl(BlockDecl)
  /// `model Name { statements }`
  case modelDecl(ModelDecl)
  /// `verb Model on|from data { settings }`: train, evaluate, sample, ...
  case taskDecl(TaskDecl)
  /// A declaration that failed to parse; the parser already reported why.
  case error(SourceSpan)

  public var span: SourceSpan {
    switch self {
    case .importDecl(let decl): decl.span
    case .letDecl(let decl): decl.span
    case .dataDecl(let decl): decl.span
    case .blockDecl(let decl): decl.span
    case .modelDecl(let decl): decl.span
    case .taskDecl(let decl): decl.span
    case .error(let span): span
    }
  }
}

public struct ImportDecl: Equatable, Sendable {
  /// The path as written, relative to the importing file.
  public var path: String
  public var pathSpan: SourceSpan
  public var span: SourceSpan
  public init(path: String, pathSpan: SourceSpan, span: SourceSpan) {
    self.path = path
    self.pathSpan = pathSpan
    self.span = span
  }
}

public struct LetDecl: Equatable, Sendable {
  public var name: Identifier
  public var value: Expr
  public var span: SourceSpan
  public init(name: Identifier, value: Expr, span: SourceSpan) {
    self.name = name
    self.value = value
    self.span = span
  }
}

public struct DataDecl: Equatable, Sendable {
  public var name: Identifier
  public var value: Expr
  public var span: SourceSpan
  public init(name: Identifier, value: Expr, span: SourceSpan) {
    self.name = name
    self.value = value
    self.span = span
  }
}

/// One parameter of a block: `filters` or `kernel = 5`.
public struct Parameter: Equatable, Sendable {
  public var name: Identifier
  public var defaultValue: Expr?
  public init(name: Identifier, defaultValue: Expr?) {
    self.name = name
    self.defaultValue = defaultValue
  }
}

public struct BlockDecl: Equatable, Sendable {
  public var name: Identifier
  public var parameters: [Parameter]
  public var body: [Stmt]
  public var span: SourceSpan
  public init(name: Identifier, parameters: [Parameter], body: [Stmt], span: SourceSpan) {
    self.name = name
    self.parameters = parameters
    self.body = body
    self.span = span
  }
}

public struct ModelDecl: Equatable, Sendable {
  public var name: Identifier
  public var body: [Stmt]
  public var span: SourceSpan
  public init(name: Identifier, body: [Stmt], span: SourceSpan) {
    self.name = name
    self.body = body
    self.span = span
  }
}

/// `key = expr` inside a task's braces.
public struct Setting: Equatable, Sendable {
  public var name: Identifier
  public var value: Expr
  public var span: SourceSpan
  public init(name: Identifier, value: Expr, span: SourceSpan) {
    self.name = name
    self.value = value
    self.span = span
  }
}

/// `train LeNet on mnist_train { ... }`, `sample CharLSTM from novel { ... }`.
public struct TaskDecl: Equatable, Sendable {
  /// The verb: `train`, `evaluate`, `sample`, `pretrain`, `predict`, ... (checked by Semantics).
  public var verb: Identifier
  public var model: Identifier
  /// `on` or `from`, as written.
  public var preposition: Identifier
  /// The data set expression (usually a name, possibly `novel.heldout`).
  public var data: Expr
  public var settings: [Setting]
  public var span: SourceSpan
  public init(
    verb: Identifier, model: Identifier, preposition: Identifier, data: Expr,
    settings: [Setting], span: SourceSpan
  ) {
    self.verb = verb
    self.model = model
    self.preposition = preposition
    self.data = data
    self.settings = settings
    self.span = span
  }
}

/// A statement in a model or block body.
public enum Stmt: Equatable, Sendable {
  /// `name = expr`
  case assign(name: Identifier, value: Expr, span: SourceSpan)
  /// `input name: [dims]` (models only)
  case input(name: Identifier, shape: Expr, span: SourceSpan)
  /// `output name = expr` (models only)
  case output(name: Identifier, value: Expr, span: SourceSpan)
  /// `for name in expr { body }`, unrolled at check time.
  case forLoop(variable: Identifier, sequence: Expr, body: [Stmt], span: SourceSpan)
  /// `repeat count { body }` or `repeat i in count`... see grammar.md; unrolled.
  case repeatLoop(count: Expr, body: [Stmt], span: SourceSpan)
  /// `return expr` (blocks only)
  case returnStmt(value: Expr, span: SourceSpan)
  /// A statement that failed to parse.
  case error(SourceSpan)

  public var span: SourceSpan {
    switch self {
    case .assign(_, _, let span), .input(_, _, let span), .output(_, _, let span),
      .forLoop(_, _, _, let span), .repeatLoop(_, _, let span), .returnStmt(_, let span),
      .error(let span):
      span
    }
  }
}

public enum UnaryOperator: String, Equatable, Sendable { case negate = "-" }

public enum BinaryOperator: String, Equatable, Sendable {
  case add = "+"
  case subtract = "-"
  case multiply = "*"
  case divide = "/"
}

/// One `op operand` step of a binary chain.
public struct BinaryTerm: Equatable, Sendable {
  public var op: BinaryOperator
  public var opSpan: SourceSpan
  public var operand: Expr
  public init(op: BinaryOperator, opSpan: SourceSpan, operand: Expr) {
    self.op = op
    self.opSpan = opSpan
    self.operand = operand
  }
}

/// `value` or `label: value` in a call.
public struct Argument: Equatable, Sendable {
  public var label: Identifier?
  public var value: Expr
  public var span: SourceSpan
  public init(label: Identifier?, value: Expr, span: SourceSpan) {
    self.label = label
    self.value = value
    self.span = span
  }
}

/// An expression with its span.
public struct Expr: Equatable, Sendable {
  public var kind: ExprKind
  public var span: SourceSpan
  public init(_ kind: ExprKind, _ span: SourceSpan) {
    self.kind = kind
    self.span = span
  }
}

public indirect enum ExprKind: Equatable, Sendable {
  /// `12`, `0.5`, `1e-3`
  case number(Double)
  /// `"text"` (decoded)
  case string(String)
  /// A name: a binding, constant, block parameter, data set or built-in.
  case name(String)
  /// `[a, b, c]`
  case list([Expr])
  /// `callee(args)`; the callee is a built-in or a block.
  case call(callee: Identifier, arguments: [Argument])
  /// `base.name`, e.g. `novel.vocab`
  case member(base: Expr, name: Identifier)
  /// `-x`
  case unary(op: UnaryOperator, opSpan: SourceSpan, operand: Expr)
  /// `first op1 e1 op2 e2 ...`, all operators of one precedence level, left-associative.
  case binary(first: Expr, rest: [BinaryTerm])
  /// An expression that failed to parse.
  case error
}
