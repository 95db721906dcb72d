// CSVTable: a numeric CSV file with a header row, parsed cell by cell with the line and column
// of every problem. No quoting beyond optional double quotes around header names.

/// The header names and the numeric rows of a CSV file.
struct CSVTable {
  var path: String
  var columns: [String]
  /// Row-major, `rowCount × columns.count` values.
  var cells: [Double]
  var rowCount: Int
  /// The line number (1-based) of each data row, for later error messages.
  var lines: [Int]

  /// Parses the file at `path`.
  static func read(_ path: String) throws(DataError) -> CSVTable {
    let bytes = try FileBytes.read(path)
    return try parse(bytes, path: path)
  }

  static func parse(_ bytes: [UInt8], path: String) throws(DataError) -> CSVTable {
    let lines = splitLines(bytes)
    var lineIndex = 0
    while lineIndex < lines.count && isBlank(bytes[lines[lineIndex]]) { lineIndex += 1 }
    guard lineIndex < lines.count else {
      throw DataError(path: path, message: "empty file, expected a header row of column names")
    }
    guard let headerText = String(validating: bytes[lines[lineIndex]], as: UTF8.self) else {
      throw DataError(
        path: path, location: "line \(lineIndex + 1)", message: "the header is not valid UTF-8")
    }
    let columns = headerText.split(separator: ",", omittingEmptySubsequences: false).map(cleanName)
    for (number, name) in columns.enumerated() where name.isEmpty {
      throw DataError(
        path: path, location: "line \(lineIndex + 1), column \(number + 1)",
        message: "expected a column name, found an empty header cell")
    }
    var seen: Set<String> = []
    for name in columns where !seen.insert(name).inserted {
      throw DataError(
        path: path, location: "line \(lineIndex + 1)", message: "column '\(name)' appears twice")
    }
    var table = CSVTable(path: path, columns: columns, cells: [], rowCount: 0, lines: [])
    table.cells.reserveCapacity(lines.count * columns.count)
    for index in (lineIndex + 1)..<lines.count {
      let range = lines[index]
      if isBlank(bytes[range]) { continue }
      try table.appendRow(bytes, range: range, line: index + 1)
    }
    guard table.rowCount > 0 else {
      throw DataError(
        path: path, location: "line \(lineIndex + 2)", message: "no data rows after the header")
    }
    return table
  }

  /// Parses one data line; `line` is 1-based.
  private mutating func appendRow(_ bytes: [UInt8], range: Range<Int>, line: Int) throws(DataError)
  {
    var starts = [range.lowerBound]
    for position in range where bytes[position] == UInt8(ascii: ",") {
      starts.append(position + 1)
    }
    guard starts.count == columns.count else {
      let column =
        starts.count > columns.count
        ? starts[columns.count] - range.lowerBound + 1 : range.count + 1
      throw DataError(
        path: path, location: "line \(line), column \(column)",
        message: "expected \(columns.count) columns as in the header, found \(starts.count)")
    }
    for (column, start) in starts.enumerated() {
      let end = column + 1 < starts.count ? starts[column + 1] - 1 : range.upperBound
      cells.append(
        try number(
          bytes[start..<end], line: line, column: column, character: start - range.lowerBound + 1))
    }
    rowCount += 1
    lines.append(line)
  }

  private func number(_ cell: ArraySlice<UInt8>, line: Int, column: Int, character: Int)
    throws(DataError) -> Double
  {
    // Fast path: a plain whole number (most pixel and count columns).
    if !cell.isEmpty, cell.count <= 15, cell.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
      var value = 0
      for digit in cell { value = value * 10 + Int(digit - 48) }
      return Double(value)
    }
    let text = String(decoding: cell, as: UTF8.self).trimmingSpaces()
    var location: String { "line \(line), column \(character)" }
    guard !text.isEmpty else {
      throw DataError(
        path: path, location: location,
        message: "expected a number in column '\(columns[column])', found an empty cell")
    }
    guard let value = Double(text), value.isFinite else {
      throw DataError(
        path: path, location: location,
        message: "expected a number in column '\(columns[column])', found '\(text.prefix(40))'")
    }
    return value
  }

  /// Line ranges without their line terminators ("\n" or "\r\n").
  private static func splitLines(_ bytes: [UInt8]) -> [Range<Int>] {
    var result: [Range<Int>] = []
    var start = 0
    for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
      var end = index
      if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
      result.append(start..<end)
      start = index + 1
    }
    if start < bytes.count {
      var end = bytes.count
      if bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
      result.append(start..<end)
    }
    return result
  }

  private static func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
    line.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
  }

  private static func cleanName(_ name: Substring) -> String {
    var text = String(name)
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    text = text.trimmingSpaces()
    if text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") {
      text = String(text.dropFirst().dropLast())
    }
    return text
  }

  /// The value of row `row`, column `column`.
  func value(row: Int, column: Int) -> Double { cells[row * columns.count + column] }
}

extension String {
  /// This string without leading and trailing spaces and tabs.
  func trimmingSpaces() -> String {
    var view = Substring(self)
    while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
    while let last = view.last, last == " " || last == "\t" { view.removeLast() }
    return String(view)
  }
}
