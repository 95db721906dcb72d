// Help: the text of `netlang --help` and `netlang help COMMAND`. Kept together so the
// wording of the whole tool can be read in one place.

/// Help texts, by command.
public enum Help {
  public static let version = "0.1.0"

  public static let overview = """
    netlang \(version): describe a neural network, its data and its training in one .net file,
    then check, train and evaluate it.

    USAGE: netlang COMMAND FILE [options]

    COMMANDS:
      run FILE          check FILE, then run its tasks (train, evaluate, sample) in order
      check FILE...     parse and check files; print diagnostics or one OK line per file
      summary FILE      each model's bindings with shapes and parameter counts
      evaluate FILE     run only the file's evaluate tasks (use --load for trained weights)
      predict FILE      write a trained model's predictions on a data set as CSV
      export FILE       write a model as ONNX
      bench             time training steps of the benchmark workloads
      graph FILE        the compiled forward and backward graph (--dot for Graphviz)
      gradcheck FILE    compare gradients with finite differences on a small batch
      help [COMMAND]    this text, or one command's options

    OPTIONS:
      -h, --help        show help
      -V, --version     show the version

    EXIT STATUS: 0 success, 1 the file has errors or a check failed, 2 bad command line,
    3 a failure while running (a data file, a divergence), 130 interrupted.

    The language is described in grammar.md; examples are in examples/.
    Try: netlang run examples/xor.net
    """

  /// Help for one command: usage, what it does, its options.
  public static func text(for command: CommandName) -> String {
    let usage: String
    let about: String
    switch command {
    case .run:
      usage = "netlang run FILE [options]"
      about = """
        Checks FILE, then runs its tasks in order: each 'train' prints one line per epoch \
        (loss, validation loss and accuracy, examples/s, elapsed time) and each 'evaluate' its \
        metrics.
        """
    case .check:
      usage = "netlang check FILE..."
      about = "Parses and checks each file and its imports; prints diagnostics, or OK per file."
    case .summary:
      usage = "netlang summary FILE"
      about = "For each model: its bindings with inferred shapes and parameter counts, and totals."
    case .evaluate:
      usage = "netlang evaluate FILE --load WEIGHTS [options]"
      about = "Runs only the file's evaluate tasks, without training, on loaded weights."
    case .graph:
      usage = "netlang graph FILE [--dot] [--model NAME]"
      about = "Prints the lowered forward and backward graph of a model as text or Graphviz DOT."
    case .gradcheck:
      usage = "netlang gradcheck FILE [--batch N] [--seed N] [--tolerance X]"
      about = """
        For a small batch with dropout off, compares each parameter's gradient with central \
        finite differences computed in double precision and prints the worst relative error \
        per parameter; exits with status 1 when one is above the tolerance (default 1e-2).
        """
    case .predict:
      usage = "netlang predict FILE --load WEIGHTS --data NAME [--out FILE]"
      about = """
        Runs a trained model on a data set of the file and writes CSV: a header row, then per \
        example its index and the predicted class with class probabilities (classifiers) or \
        the output values.
        """
    case .export:
      usage = "netlang export FILE --load WEIGHTS -o model.onnx"
      about = "Writes a model's forward graph as an ONNX model (opset 17, symbolic batch)."
    case .bench:
      usage = "netlang bench [--threads N] [--only NAME,...] [--json] [--scaling]"
      about = """
        Times full training steps of the workloads in examples/bench (forward, backward, \
        optimizer update) on synthetic data and prints examples/s, µs per step and peak memory. \
        With --scaling and --threads N (N ≥ 2), each workload but gemm runs at 1 thread and at N \
        in the same process, taking turns repetition by repetition, and the gain printed is the \
        median of the repetitions' own gains.
        """
    case .help:
      usage = "netlang help [COMMAND]"
      about = "Shows help for netlang or one command."
    case .version:
      usage = "netlang --version"
      about = "Shows the version."
    }
    var text = "USAGE: \(usage)\n\n\(about)\n"
    let options = CommandLineParser.options(for: command)
    if !options.isEmpty {
      text += "\nOPTIONS:\n"
      for option in options where !option.hidden {
        let value: String
        switch option.kind {
        case .flag: value = ""
        case .integer: value = " N"
        case .number: value = " X"
        case .path: value = " PATH"
        case .name: value = " NAME"
        }
        let left = "  --\(option.name)\(value)"
        text += left.padding(toLength: max(left.count + 2, 22)) + option.help + "\n"
      }
    }
    return text
  }
}

extension String {
  fileprivate func padding(toLength length: Int) -> String {
    count >= length ? self : self + String(repeating: " ", count: length - count)
  }
}
