// Scope: what names mean while checking. Top-level declarations of every file form one global
// table; a model or block body is a `Frame` of local bindings on top of it.

import NetLangTensor

/// A top-level declaration, by name.
struct GlobalEntry {
  enum Declaration {
    case constant(LetDecl)
    case data(DataDecl)
    case block(BlockDecl)
    case model(ModelDecl)
  }
  var declaration: Declaration
  var name: Identifier
  var file: FileID

  /// "constant", "data set", "block", "model", for messages.
  var kindName: String {
    switch declaration {
    case .constant: "constant"
    case .data: "data set"
    case .block: "block"
    case .model: "model"
    }
  }
}

/// Lazy evaluation state of a constant or data declaration (catches `let a = b; let b = a`).
enum EvaluationState {
  case inProgress
  case done(Value)
}

/// Where an expression is evaluated; decides which built-ins may be called.
enum EvaluationContext: Equatable {
  /// `let`, input shapes, block defaults, task settings.
  case constant
  /// The right side of a `data` declaration.
  case data
  /// A model or block body: tensor operations allowed.
  case model
}

/// The role of a local name, for unused-name warnings.
enum LocalRole {
  case binding, input, output, parameter, loopVariable
}

/// One local name.
struct Local {
  var value: Value
  /// The name as written where it was bound.
  var span: SourceSpan
  var role: LocalRole
  var used = false
}

/// The locals of one model body or one inlined block call.
struct Frame {
  var locals: [String: Local] = [:]
  /// The block being inlined, nil in a model body.
  var blockName: String?
  /// Prefix of layer names made in this frame ("h." inside `h = conv_pool(...)`).
  var prefix = ""
  /// The name the current statement binds (layer names default to it); nil in `return`.
  var statementName: String?
  /// The value of `return`, once run.
  var returnValue: Value?
}

/// Which bindings were used, across loop repetitions and block inlinings, so a binding is
/// reported unused only if no repetition used it.
struct UsageTracker {
  struct Entry {
    var name: String
    var role: LocalRole
    var span: SourceSpan
  }
  private(set) var unused: [SourceSpan: Entry] = [:]
  private(set) var order: [SourceSpan] = []
  private(set) var used: Set<SourceSpan> = []

  /// Records a local going out of scope or being shadowed.
  mutating func release(name: String, _ local: Local) {
    if local.used {
      used.insert(local.span)
    } else if unused[local.span] == nil {
      unused[local.span] = Entry(name: name, role: local.role, span: local.span)
      order.append(local.span)
    }
  }

  /// The bindings that no repetition used, in the order first seen.
  var unusedEntries: [Entry] {
    order.filter { !used.contains($0) }.compactMap { unused[$0] }
  }
}
