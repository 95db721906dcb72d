// Diagnostic: errors and warnings as values. Stages append them to an `inout [Diagnostic]`;
// only the CLI prints them, through `DiagnosticRenderer`.

/// How serious a diagnostic is.
public enum Severity: String, Sendable, Comparable {
  case error, warning, note

  public static func < (lhs: Severity, rhs: Severity) -> Bool {
    let rank: [Severity: Int] = [.error: 0, .warning: 1, .note: 2]
    return rank[lhs, default: 0] < rank[rhs, default: 0]
  }
}

/// A stable code per kind of diagnostic, rendered as `E0301`.
///
/// Ranges: E01xx lexing and parsing, E02xx names and values, E03xx shapes, E04xx tasks and
/// lowering, E05xx running. Each stage declares its codes in an extension (`SyntaxDiagnostics`,
/// `SemanticDiagnostics`, ...) and lists them in `DiagnosticCode.all`.
public struct DiagnosticCode: Hashable, Sendable, CustomStringConvertible {
  public let number: Int
  /// A short kebab-case name, e.g. "unexpected-token"; used by tests and fixture names.
  public let name: String

  public init(_ number: Int, _ name: String) {
    self.number = number
    self.name = name
  }

  /// "E0301" for errors; warnings use "W" (e.g. "W0201").
  public var description: String {
    let digits = String(number)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }
}

/// A secondary message under a diagnostic: `= note: ...` or `= help: ...`.
public struct Note: Equatable, Sendable {
  public enum Kind: String, Sendable { case note, help }
  public var kind: Kind
  public var message: String
  /// Where the note points, if anywhere; rendered as "(at file:line:col)" or with its own snippet.
  public var span: SourceSpan?

  public init(_ kind: Kind, _ message: String, at span: SourceSpan? = nil) {
    self.kind = kind
    self.message = message
    self.span = span
  }

  public static func note(_ message: String, at span: SourceSpan? = nil) -> Note {
    Note(.note, message, at: span)
  }
  public static func help(_ message: String) -> Note { Note(.help, message) }
}

/// One error, warning or note, with its primary location.
public struct Diagnostic: Equatable, Sendable {
  public var severity: Severity
  public var code: DiagnosticCode
  /// Lower-case, no trailing period, names in 'quotes'.
  public var message: String
  /// The primary location, marked with `^` (or `^~~~` over its length).
  public var span: SourceSpan
  /// Secondary locations in the same line, marked with `~`.
  public var highlights: [SourceSpan]
  public var notes: [Note]

  public init(
    _ severity: Severity, _ code: DiagnosticCode, _ message: String, at span: SourceSpan,
    highlights: [SourceSpan] = [], notes: [Note] = []
  ) {
    self.severity = severity
    self.code = code
    self.message = message
    self.span = span
    self.highlights = highlights
    self.notes = notes
  }

  public static func error(
    _ code: DiagnosticCode, _ message: String, at span: SourceSpan,
    highlights: [SourceSpan] = [], notes: [Note] = []
  ) -> Diagnostic {
    Diagnostic(.error, code, message, at: span, highlights: highlights, notes: notes)
  }

  public static func warning(
    _ code: DiagnosticCode, _ message: String, at span: SourceSpan,
    highlights: [SourceSpan] = [], notes: [Note] = []
  ) -> Diagnostic {
    Diagnostic(.warning, code, message, at: span, highlights: highlights, notes: notes)
  }

  /// Adds a note and returns the diagnostic, for chaining in factories.
  public func with(_ note: Note?) -> Diagnostic {
    guard let note else { return self }
    var copy = self
    copy.notes.append(note)
    return copy
  }
}

extension Array where Element == Diagnostic {
  /// True when any diagnostic is an error.
  public var hasErrors: Bool { contains { $0.severity == .error } }
}
