// ShapeDiagnostics: E03xx messages, alphabetical. Shape errors always show the shapes
// involved and, where there is an obvious fix, a help line.

import NetLangTensor

extension SemanticDiagnostics {
  /// `mirror` found no dense layer, or an operation it cannot invert, between code and input.
  static func mirrorPath(found op: LayerOp?, at span: SourceSpan, note: SourceSpan?) -> Diagnostic {
    guard let op else {
      return .error(
        .mirrorPath, "'mirror' found no dense layer between its code and 'to'", at: span,
        notes: [.help("mirror(code, to: input) inverts the dense layers that made 'code' from 'input'")])
    }
    return .error(
      .mirrorPath,
      "'mirror' can only walk back through dense layers and activations, not '\(operationName(op))'",
      at: span, notes: note.map { [.note("that operation is here", at: $0)] } ?? [])
  }

  /// The printed name of a checked operation.
  static func operationName(_ op: LayerOp) -> String {
    switch op {
    case .input: "input"
    case .conv2d: "conv2d"
    case .maxpool: "maxpool"
    case .avgpool: "avgpool"
    case .batchnorm: "batchnorm"
    case .embedding: "embedding"
    case .rnn: "rnn"
    case .lstm: "lstm"
    case .gru: "gru"
    case .concat: "concat"
    case .flatten, .reshape: "reshape"
    default: "\(op)".components(separatedBy: "(").first ?? "operation"
    }
  }

  /// A layer whose weights alone would not fit in memory.
  static func layerTooLarge(_ operation: String, parameters: Int, at span: SourceSpan) -> Diagnostic
  {
    let count = parameters == Int.max ? "more than \(Int.max)" : "\(parameters)"
    return .error(
      .tensorTooLarge,
      "this '\(operation)' would have \(count) parameters, more than the limit of "
        + "\(ShapeRules.maximumElements)", at: span)
  }

  /// A `ShapeError` from a built-in, at the built-in's name, with its operand highlighted.
  static func shapeFailure(
    _ error: ShapeError, at span: SourceSpan, operand: SourceSpan? = nil,
    operandShape: Shape? = nil
  ) -> Diagnostic {
    let code: DiagnosticCode
    var notes: [Note] = []
    switch error {
    case .notBroadcastable: code = .shapeMismatch
    case .wrongRank(let operation, _, let actual):
      code = .wrongRank
      if ["rnn", "lstm", "gru", "last"].contains(operation) {
        notes.append(
          .help(
            "sequence operations need a [time, features] input, e.g. from embedding(ids, vocab, dim)"
          ))
      } else if ["conv2d", "maxpool", "avgpool"].contains(operation), actual.rank < 3 {
        notes.append(.help("give it channels, height and width, e.g. reshape(x, [1, 28, 28])"))
      }
    case .windowTooLarge: code = .windowTooLarge
    case .invalidSize: code = .invalidNumber
    case .concatMismatch: code = .concatMismatch
    case .reshapeMismatch: code = .reshapeMismatch
    case .axisOutOfRange: code = .axisOutOfRange
    case .tooLarge: code = .tensorTooLarge
    }
    if let operandShape, case .windowTooLarge = error {
      notes.append(.note("the input has shape \(operandShape)"))
    }
    return .error(
      code, error.description, at: span, highlights: operand.map { [$0] } ?? [], notes: notes)
  }

  /// `h + skip` with shapes that do not broadcast.
  static func shapeMismatch(
    _ op: BinaryOperator, _ left: Shape, _ right: Shape, opSpan: SourceSpan, left leftExpr: Expr,
    right rightExpr: Expr, leftNote: Note?, rightNote: Note?
  ) -> Diagnostic {
    var diagnostic = Diagnostic.error(
      .shapeMismatch, "cannot \(verb(op)) tensors of shapes \(left) and \(right)", at: opSpan,
      highlights: [leftExpr.span, rightExpr.span])
    diagnostic = diagnostic.with(leftNote).with(rightNote)
    guard let leftLast = left.dimensions.last, let rightLast = right.dimensions.last else {
      return diagnostic
    }
    if case .name(let name) = rightExpr.kind {
      return diagnostic.with(
        .help("project one side to the other's size, e.g. dense(\(name), \(leftLast))"))
    }
    if case .name(let name) = leftExpr.kind {
      return diagnostic.with(
        .help("project one side to the other's size, e.g. dense(\(name), \(rightLast))"))
    }
    return diagnostic.with(.help("project one side to the other's size with dense(..., n)"))
  }
}
