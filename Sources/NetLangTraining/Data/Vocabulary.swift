// Vocabulary: the sorted characters of a text corpus and the mapping between characters and
// their ids, for reading the corpus and for sampling.

/// The distinct characters (Unicode scalars) of a corpus in ascending order; a character's id
/// is its position.
public struct Vocabulary: Equatable, Sendable {
  /// The characters, sorted by scalar value.
  public let characters: [Unicode.Scalar]
  private let ids: [UInt32: Int]

  /// The vocabulary of the distinct scalars among `characters`.
  public init<S: Sequence>(of characters: S) where S.Element == Unicode.Scalar {
    let distinct = Set(characters.map(\.value)).sorted()
    self.characters = distinct.compactMap(Unicode.Scalar.init)
    var ids: [UInt32: Int] = [:]
    for (id, value) in distinct.enumerated() { ids[value] = id }
    self.ids = ids
  }

  /// Number of characters.
  public var count: Int { characters.count }

  /// The id of `character`, nil when it is not in the vocabulary.
  public func id(of character: Unicode.Scalar) -> Int? { ids[character.value] }

  /// The ids of the characters of `text`; throws naming the first character not in the
  /// vocabulary (location "character k", 1-based).
  public func encode(_ text: String) throws(DataError) -> [Int] {
    var result: [Int] = []
    result.reserveCapacity(text.unicodeScalars.count)
    for (position, scalar) in text.unicodeScalars.enumerated() {
      guard let id = ids[scalar.value] else {
        throw DataError(
          path: "", location: "character \(position + 1)",
          message: "'\(scalar.escaped(asASCII: true))' is not in the corpus' vocabulary")
      }
      result.append(id)
    }
    return result
  }

  /// The text of `ids`; ids outside the vocabulary are skipped.
  public func decode<S: Sequence>(_ ids: S) -> String where S.Element == Int {
    var text = String.UnicodeScalarView()
    for id in ids where id >= 0 && id < characters.count {
      text.append(characters[id])
    }
    return String(text)
  }
}
