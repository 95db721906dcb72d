// SyntaxDiagnostics: the E01xx codes of the lexer and parser, and one message factory per
// kind of syntax error (alphabetical), so every message is worded in one place.

extension DiagnosticCode {
  /// E0101: a character that cannot start a token (NUL, control, non-ASCII, invalid UTF-8).
  public static let unexpectedCharacter = DiagnosticCode(101, "unexpected-character")
  /// E0102: a string without its closing quote on the same line.
  public static let unterminatedString = DiagnosticCode(102, "unterminated-string")
  /// E0103: a number literal that overflows a double (`1e99999`).
  public static let numberOutOfRange = DiagnosticCode(103, "number-out-of-range")
  /// E0104: a token the grammar does not allow here ("expected X, found Y").
  public static let unexpectedToken = DiagnosticCode(104, "unexpected-token")
  /// E0105: brackets, blocks or expressions nested deeper than `SyntaxLimits.maxDepth`.
  public static let nestingTooDeep = DiagnosticCode(105, "nesting-too-deep")
  /// E0106: an opening delimiter without its closer; points back at the opener.
  public static let unclosedDelimiter = DiagnosticCode(106, "unclosed-delimiter")
  /// E0107: a backslash escape a string does not know (`"\q"`).
  public static let invalidEscape = DiagnosticCode(107, "invalid-escape")
  /// E0108: so many syntax errors that the parser stopped.
  public static let tooManyErrors = DiagnosticCode(108, "too-many-errors")

  /// Every code the Syntax stage can report.
  public static let syntaxCodes: [DiagnosticCode] = [
    .unexpectedCharacter, .unterminatedString, .numberOutOfRange, .unexpectedToken,
    .nestingTooDeep, .unclosedDelimiter, .invalidEscape, .tooManyErrors,
  ]
}

/// Limits that keep the lexer and parser linear and their recursion shallow (grammar.md 4).
enum SyntaxLimits {
  /// Deepest nesting of brackets, blocks and expressions (E0105).
  static let maxDepth = 256
  /// Errors reported for one file before the parser gives up (E0108), as clang's -ferror-limit.
  static let maxErrors = 20
}

extension Diagnostic {
  /// E0104 `expected a declaration, found ...`, with a hint for statements written at top level.
  static func expectedDeclaration(found: String, hint: String?, at span: SourceSpan) -> Diagnostic {
    .error(.unexpectedToken, "expected a declaration, found \(found)", at: span)
      .with(hint.map { Note.help($0) })
  }

  /// E0104 `expected X, found Y`.
  static func expectedToken(_ expected: String, found: String, at span: SourceSpan) -> Diagnostic {
    .error(.unexpectedToken, "expected \(expected), found \(found)", at: span)
  }

  /// E0107 an unknown escape sequence in a string.
  static func invalidEscape(_ escape: String, at span: SourceSpan) -> Diagnostic {
    .error(.invalidEscape, "unknown escape sequence '\(escape)' in string", at: span)
      .with(.help("the escapes are \\\", \\\\, \\n and \\t"))
  }

  /// E0105 nesting deeper than the limit, at the first opener that is too deep.
  static func nestingTooDeep(limit: Int, at span: SourceSpan) -> Diagnostic {
    .error(.nestingTooDeep, "nesting is deeper than \(limit) levels", at: span)
      .with(.help("split the expression with intermediate names"))
  }

  /// E0103 a number literal that overflows a double.
  static func numberOutOfRange(_ literal: String, at span: SourceSpan) -> Diagnostic {
    let shown = literal.count > 40 ? String(literal.prefix(40)) + "..." : literal
    return .error(.numberOutOfRange, "number '\(shown)' is too large", at: span)
  }

  /// E0108 the parser stopped after too many errors.
  static func tooManyErrors(limit: Int, at span: SourceSpan) -> Diagnostic {
    .error(.tooManyErrors, "too many syntax errors (\(limit)); stopping here", at: span)
  }

  /// E0106 `expected ')' to close '(' at 3:14`, pointing where the closer was expected.
  static func unclosedDelimiter(
    closer: String, opener: String, openerLocation: String, openerSpan: SourceSpan,
    found: String, at span: SourceSpan
  ) -> Diagnostic {
    .error(
      .unclosedDelimiter,
      "expected '\(closer)' to close '\(opener)' at \(openerLocation), found \(found)",
      at: span, highlights: [openerSpan])
  }

  /// E0101 a character that cannot start a token.
  static func unexpectedCharacter(_ scalar: Unicode.Scalar, at span: SourceSpan) -> Diagnostic {
    let hex = String(scalar.value, radix: 16, uppercase: true)
    let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    if scalar == "\u{FFFD}" {
      return .error(.unexpectedCharacter, "invalid UTF-8 byte sequence", at: span)
    }
    if scalar.value < 0x20 || scalar.value == 0x7F {
      return .error(.unexpectedCharacter, "unexpected control character \(code)", at: span)
    }
    let hint: String? =
      switch scalar {
      case ";": "a statement ends at the end of its line"
      case "'": "strings use double quotes"
      default: scalar.isASCII ? nil : "names and operators are ASCII; other text goes in strings"
      }
    let shown = scalar.isASCII ? "'\(Character(scalar))'" : "'\(Character(scalar))' (\(code))"
    return .error(.unexpectedCharacter, "unexpected character \(shown)", at: span)
      .with(hint.map { Note.help($0) })
  }

  /// E0102 a string with no closing quote on its line, at its opening quote.
  static func unterminatedString(at span: SourceSpan) -> Diagnostic {
    .error(.unterminatedString, "unterminated string", at: span)
      .with(.help("a string ends with '\"' on the same line"))
  }
}
