// TaskCheckerTests: train, evaluate and sample tasks (grammar.md section 7): defaults, settings,
// losses against outputs and fields, inputs against fields, optimizers and schedules.

import NetLangTensor
import NetLangTraining
import Testing

@testable import NetLang

/// A classifier over MNIST-shaped data plus `tasks`.
func classifier(_ tasks: String, input: String = "[784]") -> String {
  """
  data mnist = idx("images", labels: "labels")
  model Net {
      input image: \(input)
      h = relu(dense(flatten(image), 32))
      output logits = dense(h, 10)
  }
  \(tasks)
  """
}

@Test("train settings get their defaults")
func trainDefaults() {
  let result = check(classifier("train Net on mnist { loss = cross_entropy(logits, label) }"))
  #expect(result.diagnostics.isEmpty, "\(rendered(result))")
  guard case .train(let task) = result.program?.tasks.first else {
    Issue.record("no train task")
    return
  }
  #expect(task.optimizer == .sgd(SGDSettings(learningRate: 0.01)))
  #expect(task.schedule == .constant)
  #expect(task.epochs == 10 && task.batch == 32 && task.seed == 0 && task.shuffle)
  #expect(task.validate == nil && task.patience == nil && task.clip == nil)
  #expect(
    task.loss
      == LossSpec(kind: .crossEntropy, output: "logits", target: "label", span: task.loss.span))
}

@Test("every train setting is read")
func trainSettings() {
  let result = check(
    classifier(
      """
      data test = idx("t-images", labels: "t-labels")
      train Net on mnist {
          loss = cross_entropy(logits, label)
          optimizer = adam(lr: 0.01, beta2: 0.99, weight_decay: 0.0001)
          epochs = 3
          batch = 64
          validate = test
          seed = 7
          schedule = step(2, gamma: 0.5)
          patience = 2
          clip = 5
          shuffle = false
      }
      """))
  #expect(result.diagnostics.isEmpty, "\(rendered(result))")
  guard case .train(let task) = result.program?.tasks.first else { return }
  #expect(
    task.optimizer == .adam(AdamSettings(learningRate: 0.01, beta2: 0.99, weightDecay: 0.0001)))
  #expect(task.schedule == .step(every: 2, gamma: 0.5))
  #expect(task.epochs == 3 && task.batch == 64 && task.seed == 7 && !task.shuffle)
  #expect(task.validate == "test" && task.patience == 2 && task.clip == 5)
}

@Test("schedules and sgd options")
func schedules() {
  for (text, expected) in [
    ("exponential(0.9)", ScheduleSpec.exponential(gamma: 0.9)),
    ("cosine(min_lr: 0.001)", .cosine(minimum: 0.001)), ("cosine()", .cosine(minimum: 0)),
  ] {
    let result = check(
      classifier(
        "train Net on mnist {\n    loss = cross_entropy(logits, label)\n    schedule = \(text)\n}"))
    guard case .train(let task) = result.program?.tasks.first else {
      Issue.record("\(text): \(rendered(result))")
      continue
    }
    #expect(task.schedule == expected)
  }
  let sgd = check(
    classifier(
      "train Net on mnist {\n    loss = cross_entropy(logits, label)\n"
        + "    optimizer = sgd(0.1, nesterov: true, momentum: 0.9, dampening: 0, weight_decay: 0.01)\n}"
    ))
  guard case .train(let task) = sgd.program?.tasks.first else { return }
  #expect(
    task.optimizer
      == .sgd(SGDSettings(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true)))
}

@Test("task errors have their codes")
func taskErrors() {
  func taskCodes(_ tasks: String) -> [String] { codes(check(classifier(tasks))) }
  #expect(taskCodes("trian Net on mnist { epochs = 1 }") == ["E0401 7:1"])
  #expect(taskCodes("train Net on mnist { epochs = 1 }") == ["E0403 7:1"])
  #expect(
    taskCodes("train Net from mnist { loss = cross_entropy(logits, label) }") == ["E0412 7:11"])
  #expect(
    taskCodes("train Net on mnist {\n    loss = cross_entropy(logits, label)\n    epoch = 3\n}")
      == ["E0402 9:5"])
  #expect(
    taskCodes(
      "train Net on mnist {\n    loss = cross_entropy(logits, label)\n    batch = 3\n    batch = 4\n}"
    )
      == ["E0407 10:5"])
  #expect(
    taskCodes("train Net on mnist {\n    loss = cross_entropy(logits, label)\n    epochs = 0\n}")
      == ["E0212 9:14"])
  #expect(
    taskCodes("train Net on mnist {\n    loss = cross_entropy(logit, label)\n}") == ["E0405 8:26"])
  #expect(
    taskCodes("train Net on mnist {\n    loss = cross_entropy(logits, labels)\n}") == ["E0406 8:34"]
  )
  #expect(taskCodes("train Net on mnist {\n    loss = mse(logits, label)\n}") == ["E0406 8:12"])
  #expect(taskCodes("train Net on mnist {\n    loss = hinge(logits, label)\n}") == ["E0408 8:12"])
  #expect(
    taskCodes(
      "train Net on mnist {\n    loss = cross_entropy(logits, label)\n    optimizer = adagrad(0.1)\n}"
    )
      == ["E0408 9:17"])
  #expect(taskCodes("train mnist on mnist { loss = mse(logits, label) }") == ["E0409 7:7"])
  #expect(taskCodes("train Nett on mnist { loss = mse(logits, label) }") == ["E0201 7:7"])
  #expect(taskCodes("evaluate Net on mnist {}") == ["E0410 7:1"])
  #expect(taskCodes("evaluate Net on mnist { metrics = [loss, acuracy] }") == ["E0408 7:42"])
}

@Test("an unknown setting suggests the closest one")
func settingSuggestion() {
  let result = check(
    classifier("train Net on mnist {\n    loss = cross_entropy(logits, label)\n    epoch = 3\n}"))
  #expect(result.diagnostics.first?.notes.map(\.message) == ["did you mean 'epochs'?"])
}

@Test("inputs are fed by the field of the same name, of the same element count")
func inputsAgainstFields() {
  let ok = check(
    classifier("train Net on mnist { loss = cross_entropy(logits, label) }", input: "[1, 28, 28]"))
  #expect(ok.diagnostics.isEmpty, "\(rendered(ok))")
  let wrongSize = check(
    classifier("train Net on mnist { loss = cross_entropy(logits, label) }", input: "[100]"))
  #expect(codes(wrongSize) == ["E0404 7:14"])
  #expect(
    wrongSize.diagnostics.first?.message
      == "input 'image' has shape [100] but field 'image' of 'mnist' has shape [1, 28, 28]")
  let missing = check(
    """
    data points = xor()
    model M {
        input features: [2]
        output y = dense(features, 1)
    }
    train M on points { loss = mse(y, y) }
    """)
  #expect(codes(missing) == ["E0404 6:12"])
  #expect(
    missing.diagnostics.first?.notes.first?.message
      == "the fields of 'points' are 'x' [2], 'y' [1], 'label' []")
}

@Test("cross_entropy needs classes as wide as the labels and [T, C] outputs with [T] labels")
func crossEntropyShapes() {
  let narrow = check(
    """
    data mnist = idx("images", labels: "labels")
    model Net {
        input image: [784]
        output logits = dense(image, 5)
    }
    train Net on mnist { loss = cross_entropy(logits, label) }
    """)
  #expect(codes(narrow) == ["E0406 6:43"])
  let sequence = check(
    """
    data novel = text("book.txt", seq: 16)
    model CharRNN {
        input chars: [16]
        e = embedding(chars, novel.vocab, 8)
        output logits = dense(lstm(e, 32), novel.vocab)
    }
    train CharRNN on novel { loss = cross_entropy(logits, next) }
    evaluate CharRNN on novel.heldout {}
    sample CharRNN from novel {
        length = 50
        prime = "The"
        temperature = 0.8
    }
    """)
  #expect(sequence.diagnostics.isEmpty, "\(rendered(sequence))")
  let tasks = sequence.program?.tasks ?? []
  #expect(tasks.count == 3)
  if tasks.count == 3, case .sample(let sample) = tasks[2],
    case .evaluate(let evaluation) = tasks[1]
  {
    #expect(
      sample.length == 50 && sample.prime == "The" && sample.temperature == 0.8 && sample.seed == 0)
    #expect(evaluation.data == "novel.heldout" && evaluation.metrics == [.loss, .accuracy])
  }
}

@Test("sample needs text data and next-character logits")
func sampleChecks() {
  let result = check(
    classifier("sample Net from mnist { length = 10 }"))
  #expect(codes(result) == ["E0411 7:17"])
}

@Test("evaluate takes its own loss, and accuracy needs classes")
func evaluateLoss() {
  let own = check(
    """
    data points = xor()
    model M {
        input x: [2]
        output y = sigmoid(dense(x, 1))
    }
    evaluate M on points {
        loss = bce(y, y)
        metrics = [loss, accuracy]
    }
    evaluate M on points {
        loss = mse(y, y)
        metrics = [accuracy]
    }
    """)
  #expect(codes(own) == ["E0408 12:15"])
}

@Test("only the main file's tasks are kept")
func importedTasks() {
  let result = check(
    "import \"lib.net\"\nevaluate Net on mnist { loss = cross_entropy(logits, label) }\n",
    others: [
      "lib.net": classifier("train Net on mnist { loss = cross_entropy(logits, label) }")
    ])
  #expect(result.diagnostics.isEmpty, "\(rendered(result))")
  #expect(result.program?.tasks.count == 1)
}

@Test("an evaluate task borrowing the train loss needs its target field")
func borrowedLossTarget() {
  let result = check(
    """
    data points = xor()
    data other = spirals()
    model M {
        input x: [2]
        output y = sigmoid(dense(x, 1))
    }
    evaluate M on other {}
    train M on points { loss = mse(y, y) }
    """)
  #expect(codes(result) == ["E0406 7:1"])
}

@Test("learning rates, gammas and epsilons must be positive; momentum and decay not negative")
func positiveSettings() {
  func optimizerCodes(_ text: String) -> [String] {
    codes(check(classifier("train Net on mnist {\n    loss = cross_entropy(logits, label)\n    \(text)\n}")))
  }
  #expect(optimizerCodes("optimizer = sgd(0)") == ["E0212 9:21"])
  #expect(optimizerCodes("optimizer = adam(lr: -0.1)") == ["E0212 9:26"])
  #expect(optimizerCodes("optimizer = sgd(0.1, momentum: -1)") == ["E0212 9:36"])
  #expect(optimizerCodes("schedule = exponential(0)") == ["E0212 9:28"])
  #expect(optimizerCodes("clip = 0") == ["E0212 9:12"])
}
