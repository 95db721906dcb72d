// Token: what the lexer produces and the parser consumes. Every token carries its span.

/// The kinds of token in a `.net` file (see grammar.md, "Lexical structure").
public enum TokenKind: Hashable, Sendable {
  case identifier
  /// A decimal number, `12`, `0.5`, `1e-3`. Its value is in `Token.number`.
  case number
  /// A double-quoted string; its decoded value is in `Token.text`.
  case string
  case keyword(Keyword)
  case lParen, rParen, lBracket, rBracket, lBrace, rBrace
  case comma, colon, equal, dot
  case plus, minus, star, slash
  /// A line end that separates statements. Not produced inside `(...)` or `[...]`.
  case newline
  case endOfFile
  /// A character or sequence the lexer could not read; it already reported a diagnostic.
  case invalid
}

/// Reserved words. Task verbs (`train`, `evaluate`, ...) and `on`/`from` are not reserved:
/// the parser recognises them by position, so new tasks need no new keywords.
public enum Keyword: String, Hashable, Sendable, CaseIterable {
  case importKeyword = "import"
  case letKeyword = "let"
  case dataKeyword = "data"
  case blockKeyword = "block"
  case modelKeyword = "model"
  case inputKeyword = "input"
  case outputKeyword = "output"
  case returnKeyword = "return"
  case forKeyword = "for"
  case inKeyword = "in"
  case repeatKeyword = "repeat"
}

/// One token with its location and, for literals, its value.
public struct Token: Equatable, Sendable {
  public var kind: TokenKind
  public var span: SourceSpan
  /// The identifier's name, the string's decoded value, or the source text of other tokens.
  public var text: String
  /// The value of a `.number` token (may be infinite if the literal overflows; the parser
  /// reports that).
  public var number: Double

  public init(_ kind: TokenKind, _ span: SourceSpan, text: String = "", number: Double = 0) {
    self.kind = kind
    self.span = span
    self.text = text
    self.number = number
  }
}
