// BuiltinsModel: signatures of the tensor operations of grammar.md section 5 (elementwise,
// structure, layers with parameters, pooling).

extension Builtins {
  /// `name:` and `init:` shared by layers with parameters.
  static let nameParameter = BuiltinParameter("name", .string, .absent)
  static let initParameters = [
    BuiltinParameter(
      "init", .choice(["default", "xavier", "kaiming", "normal", "zeros"]),
      .value(.string("default"))),
    BuiltinParameter("std", .positive, .value(.number(0.01))),
  ]

  static func unary(_ name: String) -> Builtin {
    Builtin(name, .model, [BuiltinParameter("x", .tensor)])
  }

  static let modelBuiltins: [Builtin] = [
    unary("relu"), unary("tanh"), unary("sigmoid"), unary("logistic"), unary("softmax"),
    unary("flatten"), unary("last"),
    Builtin(
      "leaky_relu", .model,
      [BuiltinParameter("x", .tensor), BuiltinParameter("slope", .number, .value(.number(0.01)))]),
    Builtin(
      "reshape", .model, [BuiltinParameter("x", .tensor), BuiltinParameter("shape", .dimensions)]),
    Builtin(
      "concat", .model, [BuiltinParameter("axis", .whole(minimum: Int.min), .value(.number(-1)))],
      variadic: .tensor),
    Builtin(
      "dropout", .model,
      [BuiltinParameter("x", .tensor), BuiltinParameter("rate", .fraction(openUpper: true))]),
    Builtin(
      "dense", .model,
      [
        BuiltinParameter("x", .tensor), BuiltinParameter("units", .whole(minimum: 1)),
        BuiltinParameter("bias", .boolean, .value(.boolean(true))), nameParameter,
      ] + initParameters),
    Builtin(
      "conv2d", .model,
      [
        BuiltinParameter("x", .tensor), BuiltinParameter("filters", .whole(minimum: 1)),
        BuiltinParameter("kernel", .window(minimum: 1)),
        BuiltinParameter("stride", .window(minimum: 1), .value(.number(1))),
        BuiltinParameter("padding", .window(minimum: 0), .value(.number(0))),
        BuiltinParameter("bias", .boolean, .value(.boolean(true))), nameParameter,
      ] + initParameters),
    Builtin(
      "batchnorm", .model,
      [
        BuiltinParameter("x", .tensor),
        BuiltinParameter("momentum", .fraction(openUpper: false), .value(.number(0.1))),
        BuiltinParameter("eps", .positive, .value(.number(1e-5))), nameParameter,
      ]),
    Builtin(
      "embedding", .model,
      [
        BuiltinParameter("ids", .tensor), BuiltinParameter("vocab", .whole(minimum: 1)),
        BuiltinParameter("dim", .whole(minimum: 1)), nameParameter,
      ]),
    recurrent("rnn"), recurrent("lstm"), recurrent("gru"),
    Builtin(
      "mirror", .model,
      [
        BuiltinParameter("x", .tensor), BuiltinParameter("to", .tensor),
        BuiltinParameter(
          "activation", .choice(["sigmoid", "relu", "tanh", "none"]), .value(.string("sigmoid"))),
      ]),
    pool("maxpool"), pool("avgpool"),
  ]

  static func recurrent(_ name: String) -> Builtin {
    Builtin(
      name, .model,
      [
        BuiltinParameter("x", .tensor), BuiltinParameter("units", .whole(minimum: 1)),
        nameParameter,
      ])
  }

  static func pool(_ name: String) -> Builtin {
    Builtin(
      name, .model,
      [
        BuiltinParameter("x", .tensor), BuiltinParameter("size", .window(minimum: 1)),
        BuiltinParameter("stride", .window(minimum: 1), .sameAs("size")),
      ])
  }
}
