// PixelFont: a 5×7 bitmap font (upper-case letters, digits, a little punctuation) for labelling
// rows of an image grid without any font library. Lower case is drawn as upper case.

/// Draws short labels into grayscale pixel buffers.
public enum PixelFont {
  public static let glyphWidth = 5
  public static let glyphHeight = 7
  /// Horizontal advance per character, in font pixels (glyph plus one column of space).
  public static let advance = 6

  /// Rows of each glyph, top to bottom; '#' is ink.
  static let glyphs: [Character: String] = [
    "A": ".###.|#...#|#...#|#####|#...#|#...#|#...#",
    "B": "####.|#...#|#...#|####.|#...#|#...#|####.",
    "C": ".###.|#...#|#....|#....|#....|#...#|.###.",
    "D": "####.|#...#|#...#|#...#|#...#|#...#|####.",
    "E": "#####|#....|#....|####.|#....|#....|#####",
    "F": "#####|#....|#....|####.|#....|#....|#....",
    "G": ".###.|#...#|#....|#.###|#...#|#...#|.####",
    "H": "#...#|#...#|#...#|#####|#...#|#...#|#...#",
    "I": ".###.|..#..|..#..|..#..|..#..|..#..|.###.",
    "J": "..###|...#.|...#.|...#.|...#.|#..#.|.##..",
    "K": "#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#",
    "L": "#....|#....|#....|#....|#....|#....|#####",
    "M": "#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#",
    "N": "#...#|#...#|##..#|#.#.#|#..##|#...#|#...#",
    "O": ".###.|#...#|#...#|#...#|#...#|#...#|.###.",
    "P": "####.|#...#|#...#|####.|#....|#....|#....",
    "Q": ".###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#",
    "R": "####.|#...#|#...#|####.|#.#..|#..#.|#...#",
    "S": ".####|#....|#....|.###.|....#|....#|####.",
    "T": "#####|..#..|..#..|..#..|..#..|..#..|..#..",
    "U": "#...#|#...#|#...#|#...#|#...#|#...#|.###.",
    "V": "#...#|#...#|#...#|#...#|#...#|.#.#.|..#..",
    "W": "#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#.",
    "X": "#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#",
    "Y": "#...#|#...#|.#.#.|..#..|..#..|..#..|..#..",
    "Z": "#####|....#|...#.|..#..|.#...|#....|#####",
    "0": ".###.|#...#|#..##|#.#.#|##..#|#...#|.###.",
    "1": "..#..|.##..|..#..|..#..|..#..|..#..|.###.",
    "2": ".###.|#...#|....#|...#.|..#..|.#...|#####",
    "3": "#####|...#.|..#..|...#.|....#|#...#|.###.",
    "4": "...#.|..##.|.#.#.|#..#.|#####|...#.|...#.",
    "5": "#####|#....|####.|....#|....#|#...#|.###.",
    "6": "..##.|.#...|#....|####.|#...#|#...#|.###.",
    "7": "#####|....#|...#.|..#..|.#...|.#...|.#...",
    "8": ".###.|#...#|#...#|.###.|#...#|#...#|.###.",
    "9": ".###.|#...#|#...#|.####|....#|...#.|.##..",
    "-": ".....|.....|.....|#####|.....|.....|.....",
    ".": ".....|.....|.....|.....|.....|.##..|.##..",
    ":": ".....|.##..|.##..|.....|.##..|.##..|.....",
    "(": "...#.|..#..|.#...|.#...|.#...|..#..|...#.",
    ")": ".#...|..#..|...#.|...#.|...#.|..#..|.#...",
    "/": ".....|....#|...#.|..#..|.#...|#....|.....",
    "%": "##...|##..#|...#.|..#..|.#...|#..##|...##",
    "=": ".....|.....|#####|.....|#####|.....|.....",
    "+": ".....|..#..|..#..|#####|..#..|..#..|.....",
    "_": ".....|.....|.....|.....|.....|.....|#####",
    ",": ".....|.....|.....|.....|.##..|..#..|.#...",
    "?": ".###.|#...#|....#|...#.|..#..|.....|..#..",
    " ": ".....|.....|.....|.....|.....|.....|.....",
  ]

  /// Whether `character` (after upper-casing) has a glyph; others are drawn as '?'.
  public static func canDraw(_ character: Character) -> Bool {
    glyphs[upper(character)] != nil
  }

  /// Width in pixels of `text` at `scale`.
  public static func width(of text: String, scale: Int = 1) -> Int {
    text.isEmpty ? 0 : (text.count * advance - 1) * max(1, scale)
  }

  /// Draws `text` with its top-left corner at (`x`, `y`) into the `width`-wide buffer, each font
  /// pixel a `scale × scale` block of `ink`.
  ///
  /// Pixels outside the buffer are skipped.
  public static func draw(
    _ text: String, x: Int, y: Int, scale: Int = 1, ink: UInt8, into pixels: inout [UInt8],
    width: Int
  ) {
    guard width > 0 else { return }
    let height = pixels.count / width
    let s = max(1, scale)
    for (index, character) in text.enumerated() {
      let rows = (glyphs[upper(character)] ?? glyphs["?"] ?? "").split(separator: "|")
      let left = x + index * advance * s
      for (r, row) in rows.enumerated() {
        for (c, mark) in row.enumerated() where mark == "#" {
          for dy in 0..<s {
            for dx in 0..<s {
              let px = left + c * s + dx
              let py = y + r * s + dy
              if px >= 0 && px < width && py >= 0 && py < height { pixels[py * width + px] = ink }
            }
          }
        }
      }
    }
  }

  static func upper(_ character: Character) -> Character {
    Character(String(character).uppercased())
  }
}
