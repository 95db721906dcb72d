// SummaryTable: the text of `netlang summary`: per model, its bindings with shapes and the
// parameters each adds, then every parameter tensor with its name and shape, and totals.

/// Renders model summaries.
enum SummaryTable {
  static func render(_ program: CheckedProgram, files: SourceFiles) -> String {
    var out = ""
    for model in program.models {
      out += "model \(model.name) (\(files.describe(model.span)))\n"
      // Attribute each layer node to the first binding at or after it.
      var ownedBy: [Int: Int] = [:]
      var bindingIndex = 0
      for ref in model.nodes.indices {
        while bindingIndex < model.bindings.count,
          model.bindings[bindingIndex].node.rawValue < ref
        {
          bindingIndex += 1
        }
        if bindingIndex < model.bindings.count { ownedBy[ref] = bindingIndex }
      }
      var counts = [Int](repeating: 0, count: model.bindings.count)
      for ref in model.nodes.indices {
        let owned = model.parameterSlots(of: NodeRef(ref)).filter(\.trainable)
        guard let binding = ownedBy[ref] else { continue }
        counts[binding] += owned.reduce(0) { $0 + $1.shape.elementCount }
      }
      let outputs = Set(model.outputs.map(\.name))
      var rows: [[String]] = [["binding", "shape", "parameters"]]
      for (index, binding) in model.bindings.enumerated() {
        let mark = outputs.contains(binding.name) ? " (output)" : ""
        rows.append([
          binding.name + mark, model[binding.node].shape.description,
          grouped(counts[index]),
        ])
      }
      out += table(rows)
      var parameterRows: [[String]] = [["parameter", "shape"]]
      for slot in model.parameterSlots {
        parameterRows.append([
          slot.name + (slot.trainable ? "" : " (buffer)"), slot.shape.description,
        ])
      }
      out += "\n" + table(parameterRows)
      out += "\n  total trainable parameters: \(grouped(model.trainableParameterCount))\n\n"
    }
    return out
  }

  /// Left-aligned columns with two spaces between them, indented by two.
  static func table(_ rows: [[String]]) -> String {
    guard let header = rows.first else { return "" }
    var widths = header.map(\.count)
    for row in rows {
      for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
    }
    return rows.map { row in
      "  "
        + row.enumerated().map { $1.padded(to: widths[$0] + 2) }.joined()
        .trimmingTrailingSpaces() + "\n"
    }.joined()
  }

  /// 1234567 → "1,234,567".
  static func grouped(_ number: Int) -> String {
    let digits = Array(String(number))
    var out = ""
    for (index, digit) in digits.enumerated() {
      if index > 0, (digits.count - index) % 3 == 0 { out += "," }
      out.append(digit)
    }
    return out
  }
}

extension String {
  fileprivate func padded(to width: Int) -> String {
    count >= width ? self + " " : self + String(repeating: " ", count: width - count)
  }
  fileprivate func trimmingTrailingSpaces() -> String {
    var copy = self
    while copy.last == " " { copy.removeLast() }
    return copy
  }
}
