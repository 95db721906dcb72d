// DataDeclarations: `data name = source(...)` (grammar.md section 6). Arguments become a
// `DataSourceSpec` with paths resolved against the declaring file; the driver's inspector gives
// the schema (fields, size); members `.size`, `.classes`, `.vocab`, `.heldout` read it.

import NetLangTensor
import NetLangTraining

extension Checker {
  /// Evaluates a data declaration to a data set value.
  mutating func evaluateDataDeclaration(_ decl: DataDecl, file: FileID) -> Value {
    let saved = currentData
    currentData = (name: decl.name.name, file: file, valueSpan: decl.value.span)
    context = .data
    let value = evaluate(decl.value)
    context = .constant
    currentData = saved
    switch value {
    case .dataSet(let index):
      if dataSets[index].name == decl.name.name { return value }
      var alias = dataSets[index]
      alias.name = decl.name.name
      alias.span = decl.span
      dataSets.append(alias)
      return .dataSet(dataSets.count - 1)
    case .invalid:
      return .invalid
    default:
      report(
        SemanticDiagnostics.wrongKind(
          expected: "a data set", found: value, parameter: nil, callee: "data",
          at: decl.value.span))
      return .invalid
    }
  }

  /// Builds the spec of a data source call, inspects it and records the data set.
  mutating func applyDataBuiltin(_ name: String, _ args: Arguments) -> Value {
    guard let declaration = currentData, args.callSpan == declaration.valueSpan else {
      report(SemanticDiagnostics.nestedDataSource(args.callee, at: args.calleeSpan))
      return .invalid
    }
    let directory = directories[declaration.file] ?? ""
    func path(_ parameter: String) -> String? {
      guard case .string(let text) = args[parameter] else { return nil }
      return resolvePath(text, in: directory)
    }
    let spec: DataSourceSpec
    var schema: DataSchema? = nil
    var pathSpan = args.callSpan
    switch name {
    case "idx":
      guard let images = path("images") else { return .invalid }
      spec = .idx(images: images, labels: path("labels"), scale: args["scale"]?.number ?? 1)
      pathSpan = args.span("images")
    case "csv":
      guard let file = path("path") else { return .invalid }
      var label: String? = nil
      if case .string(let text) = args["label"] { label = text }
      let standardization: Standardization
      switch args["standardize"] {
      case .boolean(true): standardization = .own
      case .dataSet(let index): standardization = .from(dataSets[index].spec)
      default: standardization = .none
      }
      spec = .csv(path: file, label: label, standardize: standardization)
      pathSpan = args.span("path")
    case "table":
      guard let (columns, tableSchema) = tableColumns(args) else { return .invalid }
      spec = .table(columns: columns)
      schema = tableSchema
    case "xor":
      spec = .xor(
        samples: args["samples"]?.integer ?? 4, noise: args["noise"]?.number ?? 0,
        seed: UInt64(max(0, args["seed"]?.integer ?? 0)))
    case "spirals":
      spec = .spirals(
        arms: args["arms"]?.integer ?? 3, points: args["points"]?.integer ?? 100,
        noise: args["noise"]?.number ?? 0.2, seed: UInt64(max(0, args["seed"]?.integer ?? 0)))
    case "waves":
      spec = .waves(
        count: args["count"]?.integer ?? 512, steps: args["steps"]?.integer ?? 32,
        seed: UInt64(max(0, args["seed"]?.integer ?? 0)))
    case "text":
      guard let file = path("path") else { return .invalid }
      spec = .text(
        path: file, sequence: args["seq"]?.integer ?? 64, heldout: args["heldout"]?.number ?? 0.1,
        part: .training)
      pathSpan = args.span("path")
    case "slice":
      guard case .dataSet(let index) = args["data"] else { return .invalid }
      let from = args["from"]?.number ?? 0
      let to = args["to"]?.number ?? 1
      guard from < to else {
        report(SemanticDiagnostics.emptySlice(from: from, to: to, at: args.callSpan))
        return .invalid
      }
      spec = .slice(
        base: dataSets[index].spec, from: from, to: to, shuffle: args["shuffle"]?.integer ?? -1)
    default:
      return .invalid
    }
    guard let found = schema ?? inspect(spec, at: pathSpan) else { return .invalid }
    dataSets.append(
      CheckedData(name: declaration.name, spec: spec, schema: found, span: args.callSpan))
    return .dataSet(dataSets.count - 1)
  }

  /// Asks the driver for a spec's schema; a failure is E0501 at `span`.
  mutating func inspect(_ spec: DataSourceSpec, at span: SourceSpan) -> DataSchema? {
    do {
      return try inspectData(spec)
    } catch {
      report(SemanticDiagnostics.unreadableData(error, at: span))
      return nil
    }
  }

  /// `path` against the declaring file's directory, unless absolute.
  func resolvePath(_ path: String, in directory: String) -> String {
    if path.hasPrefix("/") || directory.isEmpty { return path }
    return directory.hasSuffix("/") ? directory + path : directory + "/" + path
  }

  /// `table(field: [[...], ...], ...)`: one column per labelled argument, rows of numbers or
  /// of equal-length lists of numbers.
  private mutating func tableColumns(_ args: Arguments) -> ([TableColumn], DataSchema)? {
    if let first = args.extra.first {
      report(SemanticDiagnostics.unlabelledTableColumn(at: first.span))
      return nil
    }
    if args.labelOrder.isEmpty {
      report(SemanticDiagnostics.emptyTable(at: args.callSpan))
      return nil
    }
    var columns: [TableColumn] = []
    var fields: [DataField] = []
    var size: Int? = nil
    var classes: Int? = nil
    for label in args.labelOrder {
      let span = args.span(label)
      guard case .list(let rows) = args[label], !rows.isEmpty else {
        report(
          SemanticDiagnostics.badTableColumn(label, at: span, reason: "a non-empty list of rows"))
        return nil
      }
      var values: [[Double]] = []
      var width: Int? = nil
      var scalar = true
      for row in rows {
        let numbers: [Double]
        switch row {
        case .number(let number):
          numbers = [number]
        case .list(let items) where !items.isEmpty && items.allSatisfy({ $0.number != nil }):
          numbers = items.compactMap(\.number)
          scalar = false
        default:
          report(
            SemanticDiagnostics.badTableColumn(
              label, at: span, reason: "rows of numbers or of lists of numbers"))
          return nil
        }
        if let width, width != numbers.count || (scalar && row.number == nil) {
          report(SemanticDiagnostics.badTableColumn(label, at: span, reason: "rows of one length"))
          return nil
        }
        width = numbers.count
        values.append(numbers)
      }
      if let size, size != rows.count {
        report(
          SemanticDiagnostics.tableSizeMismatch(label, rows: rows.count, expected: size, at: span))
        return nil
      }
      size = rows.count
      let flat = values.flatMap { $0 }
      let isClass = scalar && flat.allSatisfy { $0 >= 0 && $0 == $0.rounded() && $0 < 1e9 }
      if isClass, classes == nil { classes = Int(flat.max() ?? 0) + 1 }
      columns.append(TableColumn(name: label, rows: values))
      fields.append(
        DataField(
          name: label, shape: scalar ? [] : Shape([width ?? 1]),
          kind: isClass ? .classIndex : .real))
    }
    return (columns, DataSchema(fields: fields, size: size ?? 0, classes: classes))
  }

  /// `data.size`, `.classes`, `.vocab`, `.heldout`.
  mutating func member(of value: Value, base: Expr, name: Identifier) -> Value {
    guard case .dataSet(let index) = value else {
      if case .invalid = value { return .invalid }
      report(SemanticDiagnostics.memberOfNonData(name, found: value, base: base.span))
      return .invalid
    }
    let data = dataSets[index]
    switch name.name {
    case "size":
      return .number(Double(data.schema.size))
    case "classes":
      if let classes = data.schema.classes { return .number(Double(classes)) }
    case "vocab":
      if let vocabulary = data.schema.vocabulary { return .number(Double(vocabulary)) }
    case "heldout":
      if case .text(let path, let sequence, let heldout, .training) = data.spec {
        let derivedName = data.name + ".heldout"
        if let existing = dataSets.firstIndex(where: { $0.name == derivedName }) {
          return .dataSet(existing)
        }
        let spec = DataSourceSpec.text(
          path: path, sequence: sequence, heldout: heldout, part: .heldout)
        guard let schema = inspect(spec, at: name.span) else { return .invalid }
        dataSets.append(CheckedData(name: derivedName, spec: spec, schema: schema, span: data.span))
        return .dataSet(dataSets.count - 1)
      }
    default:
      report(
        SemanticDiagnostics.unknownMember(
          name,
          suggestion: suggestion(for: name.name, among: ["size", "classes", "vocab", "heldout"])))
      return .invalid
    }
    report(SemanticDiagnostics.memberNotAvailable(name, data: data.name))
    return .invalid
  }
}
