// BuiltinsData and BuiltinsTask: signatures of the data sources (grammar.md section 6) and of
// losses, optimizers and schedules (section 7).

extension Builtins {
  static let dataBuiltins: [Builtin] = [
    Builtin(
      "idx", .data,
      [
        BuiltinParameter("images", .string), BuiltinParameter("labels", .string, .absent),
        BuiltinParameter("scale", .number, .value(.number(1))),
      ]),
    Builtin(
      "csv", .data,
      [
        BuiltinParameter("path", .string),
        BuiltinParameter("label", .string, .value(.string("label"))),
        BuiltinParameter("standardize", .booleanOrDataSet, .value(.boolean(false))),
      ]),
    Builtin("table", .data, [], acceptsAnyLabel: true),
    Builtin(
      "xor", .data,
      [
        BuiltinParameter("noise", .nonNegative, .value(.number(0))),
        BuiltinParameter("samples", .whole(minimum: 1), .value(.number(4))),
        BuiltinParameter("seed", .whole(minimum: 0), .value(.number(0))),
      ]),
    Builtin(
      "spirals", .data,
      [
        BuiltinParameter("arms", .whole(minimum: 1), .value(.number(3))),
        BuiltinParameter("points", .whole(minimum: 1), .value(.number(100))),
        BuiltinParameter("noise", .nonNegative, .value(.number(0.2))),
        BuiltinParameter("seed", .whole(minimum: 0), .value(.number(0))),
      ]),
    Builtin(
      "waves", .data,
      [
        BuiltinParameter("count", .whole(minimum: 1), .value(.number(512))),
        BuiltinParameter("steps", .whole(minimum: 1), .value(.number(32))),
        BuiltinParameter("seed", .whole(minimum: 0), .value(.number(0))),
      ]),
    Builtin(
      "text", .data,
      [
        BuiltinParameter("path", .string),
        BuiltinParameter("seq", .whole(minimum: 1), .value(.number(64))),
        BuiltinParameter("heldout", .fraction(openUpper: true), .value(.number(0.1))),
      ]),
    Builtin(
      "slice", .data,
      [
        BuiltinParameter("data", .dataSet),
        BuiltinParameter("from", .fraction(openUpper: false), .value(.number(0))),
        BuiltinParameter("to", .fraction(openUpper: false), .value(.number(1))),
        BuiltinParameter("shuffle", .whole(minimum: -1), .value(.number(-1))),
      ]),
  ]

  static let taskBuiltins: [Builtin] = [
    loss("mse"), loss("cross_entropy"), loss("bce"),
    Builtin(
      "sgd", .optimizer,
      [
        BuiltinParameter("lr", .positive),
        BuiltinParameter("momentum", .nonNegative, .value(.number(0))),
        BuiltinParameter("nesterov", .boolean, .value(.boolean(false))),
        BuiltinParameter("weight_decay", .nonNegative, .value(.number(0))),
        BuiltinParameter("dampening", .nonNegative, .value(.number(0))),
      ]),
    Builtin(
      "adam", .optimizer,
      [
        BuiltinParameter("lr", .positive, .value(.number(0.001))),
        BuiltinParameter("beta1", .fraction(openUpper: true), .value(.number(0.9))),
        BuiltinParameter("beta2", .fraction(openUpper: true), .value(.number(0.999))),
        BuiltinParameter("eps", .positive, .value(.number(1e-8))),
        BuiltinParameter("weight_decay", .nonNegative, .value(.number(0))),
      ]),
    Builtin(
      "step", .schedule,
      [
        BuiltinParameter("every", .whole(minimum: 1)),
        BuiltinParameter("gamma", .positive, .value(.number(0.1))),
      ]),
    Builtin("exponential", .schedule, [BuiltinParameter("gamma", .positive)]),
    Builtin("cosine", .schedule, [BuiltinParameter("min_lr", .nonNegative, .value(.number(0)))]),
  ]

  static func loss(_ name: String) -> Builtin {
    Builtin(
      name, .loss, [BuiltinParameter("output", .fieldName), BuiltinParameter("target", .fieldName)])
  }
}
