// CheckedProgram: the output of Semantics and the only input Lowering and the Driver accept.
// Blocks are inlined and loops unrolled already: a model is a flat list of nodes in
// dependency order, each with its per-example shape and source span.

import NetLangTensor
import NetLangTraining

/// A typed index into `CheckedModel.nodes`.
public struct NodeRef: Hashable, Sendable, Comparable {
  public let rawValue: Int
  public init(_ rawValue: Int) { self.rawValue = rawValue }
  public static func < (lhs: NodeRef, rhs: NodeRef) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// How a layer's weights start (grammar.md 5.4).
public enum InitSpec: Equatable, Sendable {
  /// PyTorch's default: weight and bias uniform in ±1/√fan_in.
  case pytorchDefault
  case xavier
  case kaiming
  case normal(std: Double)
  case zeros
  /// A decoder layer made by `mirror`: starts as the transpose of this encoder layer's weight
  /// (and, after `pretrain`, the RBM's visible biases).
  case mirrorOf(String)
}

/// Kernel, stride and padding of a 2-D window (conv2d, pooling), as (height, width).
public struct Window: Equatable, Sendable {
  public var kernel: (Int, Int)
  public var stride: (Int, Int)
  public var padding: (Int, Int)
  public init(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)) {
    self.kernel = kernel
    self.stride = stride
    self.padding = padding
  }
  public static func == (lhs: Window, rhs: Window) -> Bool {
    lhs.kernel == rhs.kernel && lhs.stride == rhs.stride && lhs.padding == rhs.padding
  }
}

/// One operation of a checked model. Attributes are resolved numbers; shapes are in the node.
public enum LayerOp: Equatable, Sendable {
  /// A model input, fed from the data field of the same name.
  case input(name: String)
  /// A scalar constant (from `0.5 * h`); shape `[]`.
  case constant(Double)
  case dense(units: Int, bias: Bool, initializer: InitSpec)
  case conv2d(filters: Int, window: Window, bias: Bool, initializer: InitSpec)
  case maxpool(Window)
  case avgpool(Window)
  case flatten
  case reshape
  /// Concatenation along a per-example axis (non-negative, batch excluded).
  case concat(axis: Int)
  case dropout(rate: Double)
  case batchnorm(momentum: Double, epsilon: Double)
  case embedding(vocabulary: Int, dimension: Int)
  case rnn(units: Int)
  case lstm(units: Int)
  case gru(units: Int)
  /// The last time step of a sequence.
  case last
  case relu, tanh, sigmoid, softmax
  case leakyRelu(slope: Double)
  /// Elementwise with broadcasting of the per-example shapes.
  case add, subtract, multiply, divide

  /// True for layers that own parameters (and so get a layer name).
  public var hasParameters: Bool {
    switch self {
    case .dense, .conv2d, .batchnorm, .embedding, .rnn, .lstm, .gru: true
    default: false
    }
  }
}

/// One node of a checked model.
public struct CheckedNode: Equatable, Sendable {
  public var op: LayerOp
  public var inputs: [NodeRef]
  /// Per-example output shape.
  public var shape: Shape
  /// The call or operator that made it.
  public var span: SourceSpan
  /// For layers with parameters: the unique layer name (grammar.md 5.6), e.g. "h.conv2d".
  public var layerName: String?
  public init(
    op: LayerOp, inputs: [NodeRef], shape: Shape, span: SourceSpan, layerName: String? = nil
  ) {
    self.op = op
    self.inputs = inputs
    self.shape = shape
    self.span = span
    self.layerName = layerName
  }
}

/// A name bound in a model body, for `netlang summary`.
public struct CheckedBinding: Equatable, Sendable {
  public var name: String
  public var node: NodeRef
  public var span: SourceSpan
  public init(name: String, node: NodeRef, span: SourceSpan) {
    self.name = name
    self.node = node
    self.span = span
  }
}

/// A model after checking: flat, unrolled, shaped.
public struct CheckedModel: Equatable, Sendable {
  public var name: String
  public var span: SourceSpan
  /// In dependency order: every node's inputs come before it.
  public var nodes: [CheckedNode]
  /// The `.input` nodes, in declaration order.
  public var inputs: [NodeRef]
  /// Output names and nodes, in declaration order.
  public var outputs: [(name: String, node: NodeRef)]
  /// Every binding made while unrolling (with loop repetitions), in order.
  public var bindings: [CheckedBinding]

  public init(
    name: String, span: SourceSpan, nodes: [CheckedNode], inputs: [NodeRef],
    outputs: [(name: String, node: NodeRef)], bindings: [CheckedBinding]
  ) {
    self.name = name
    self.span = span
    self.nodes = nodes
    self.inputs = inputs
    self.outputs = outputs
    self.bindings = bindings
  }

  public subscript(ref: NodeRef) -> CheckedNode { nodes[ref.rawValue] }

  public static func == (lhs: CheckedModel, rhs: CheckedModel) -> Bool {
    lhs.name == rhs.name && lhs.nodes == rhs.nodes && lhs.inputs == rhs.inputs
      && lhs.outputs.map(\.name) == rhs.outputs.map(\.name)
      && lhs.outputs.map(\.node) == rhs.outputs.map(\.node) && lhs.bindings == rhs.bindings
  }
}

/// A data declaration after checking (also derived sets such as `novel.heldout`).
public struct CheckedData: Equatable, Sendable {
  /// The declared name, or e.g. "novel.heldout" for a member.
  public var name: String
  public var spec: DataSourceSpec
  public var schema: DataSchema
  public var span: SourceSpan
  public init(name: String, spec: DataSourceSpec, schema: DataSchema, span: SourceSpan) {
    self.name = name
    self.spec = spec
    self.schema = schema
    self.span = span
  }
}

public enum LossKind: String, Equatable, Sendable {
  case mse, crossEntropy = "cross_entropy", bce
}

/// `cross_entropy(logits, label)`: a model output against a data field.
public struct LossSpec: Equatable, Sendable {
  public var kind: LossKind
  public var output: String
  public var target: String
  public var span: SourceSpan
  public init(kind: LossKind, output: String, target: String, span: SourceSpan) {
    self.kind = kind
    self.output = output
    self.target = target
    self.span = span
  }
}

/// `train Model on data { ... }` with defaults filled in (grammar.md 7.1).
public struct TrainTask: Equatable, Sendable {
  public var model: String
  public var data: String
  public var loss: LossSpec
  public var optimizer: OptimizerSpec
  public var schedule: ScheduleSpec
  public var epochs: Int
  public var batch: Int
  public var validate: String?
  public var seed: UInt64
  public var patience: Int?
  public var clip: Double?
  public var shuffle: Bool
  /// Layers whose parameters stay fixed (`freeze = [fc1, conv1]`).
  public var freeze: [String]
  public var span: SourceSpan
  public init(
    model: String, data: String, loss: LossSpec, optimizer: OptimizerSpec,
    schedule: ScheduleSpec = .constant, epochs: Int = 10, batch: Int = 32,
    validate: String? = nil, seed: UInt64 = 0, patience: Int? = nil, clip: Double? = nil,
    shuffle: Bool = true, freeze: [String] = [], span: SourceSpan
  ) {
    self.freeze = freeze
    self.model = model
    self.data = data
    self.loss = loss
    self.optimizer = optimizer
    self.schedule = schedule
    self.epochs = epochs
    self.batch = batch
    self.validate = validate
    self.seed = seed
    self.patience = patience
    self.clip = clip
    self.shuffle = shuffle
    self.span = span
  }
}

public enum Metric: String, Equatable, Sendable { case loss, accuracy }

/// `evaluate Model on data { metrics = [...] }`.
public struct EvaluateTask: Equatable, Sendable {
  public var model: String
  public var data: String
  /// The task's own loss, or the model's train loss, or nil when neither exists.
  public var loss: LossSpec?
  public var metrics: [Metric]
  public var span: SourceSpan
  public init(model: String, data: String, loss: LossSpec?, metrics: [Metric], span: SourceSpan) {
    self.model = model
    self.data = data
    self.loss = loss
    self.metrics = metrics
    self.span = span
  }
}

/// `sample Model from text_data { ... }`.
public struct SampleTask: Equatable, Sendable {
  public var model: String
  public var data: String
  public var length: Int
  public var temperature: Double
  public var prime: String
  public var seed: UInt64
  public var span: SourceSpan
  public init(
    model: String, data: String, length: Int, temperature: Double, prime: String, seed: UInt64,
    span: SourceSpan
  ) {
    self.model = model
    self.data = data
    self.length = length
    self.temperature = temperature
    self.prime = prime
    self.seed = seed
    self.span = span
  }
}

/// `predict Model on data { out = "file.csv" }`: the model's outputs per example as CSV.
public struct PredictTask: Equatable, Sendable {
  public var model: String
  public var data: String
  /// The CSV file (resolved against the declaring file), or nil for standard output.
  public var output: String?
  public var span: SourceSpan
  public init(model: String, data: String, output: String?, span: SourceSpan) {
    self.model = model
    self.data = data
    self.output = output
    self.span = span
  }
}

/// One dense layer of an encoder, pretrained as an RBM whose visible units are the layer's
/// inputs and whose hidden units are its outputs.
public struct PretrainLayer: Equatable, Sendable {
  /// The dense layer's name (its parameters are `<layer>.weight`, `<layer>.bias`).
  public var layer: String
  public var visible: Int
  public var hidden: Int
  /// Linear hidden units with unit-variance Gaussian noise (a layer without a sigmoid after
  /// it, such as the code layer); otherwise logistic binary units.
  public var gaussian: Bool
  public init(layer: String, visible: Int, hidden: Int, gaussian: Bool) {
    self.layer = layer
    self.visible = visible
    self.hidden = hidden
    self.gaussian = gaussian
  }
}

/// `pretrain Model on data { ... }`: greedy layer-by-layer RBM training of the model's encoder
/// (Hinton & Salakhutdinov 2006).
public struct PretrainTask: Equatable, Sendable {
  public var model: String
  public var data: String
  /// The data field the first RBM's visible units read (the model's input).
  public var input: String
  public var layers: [PretrainLayer]
  public var epochs: Int
  public var batch: Int
  public var learningRate: Double
  /// Learning rate of RBMs with Gaussian hidden units.
  public var gaussianLearningRate: Double
  public var momentum: Double
  public var initialMomentum: Double
  /// Epochs run with `initialMomentum` before switching to `momentum`.
  public var momentumEpochs: Int
  public var weightDecay: Double
  /// Gibbs steps of contrastive divergence (CD-k).
  public var gibbsSteps: Int
  public var seed: UInt64
  public var span: SourceSpan
}

/// `compare Model on data { pca = 30 }`: the model's reconstructions against PCA's.
public struct CompareTask: Equatable, Sendable {
  public var model: String
  public var data: String
  /// The data PCA is fitted on.
  public var fit: String
  public var components: Int
  /// The model input compared with its reconstruction, and the output reconstructing it.
  public var input: String
  public var output: String
  /// Examples shown in the reconstruction picture.
  public var images: Int
  /// A binding of two values to plot against PCA's first two components, if asked.
  public var codes: String?
  public var span: SourceSpan
}

public enum CheckedTask: Equatable, Sendable {
  case train(TrainTask)
  case evaluate(EvaluateTask)
  case sample(SampleTask)
  case predict(PredictTask)
  case pretrain(PretrainTask)
  case compare(CompareTask)
}

/// Everything the checker produced for one main file and its imports.
public struct CheckedProgram: Equatable, Sendable {
  public var models: [CheckedModel]
  public var dataSets: [CheckedData]
  /// The main file's tasks in source order (imported files' tasks do not run).
  public var tasks: [CheckedTask]
  public init(models: [CheckedModel], dataSets: [CheckedData], tasks: [CheckedTask]) {
    self.models = models
    self.dataSets = dataSets
    self.tasks = tasks
  }

  public func model(named name: String) -> CheckedModel? { models.first { $0.name == name } }

  /// The train tasks, in order.
  public var trainTasks: [TrainTask] {
    tasks.compactMap { task in
      if case .train(let train) = task { return train }
      return nil
    }
  }

  /// The first train task of `model`, if any.
  public func trainTask(of model: String) -> TrainTask? {
    trainTasks.first { $0.model == model }
  }
  public func data(named name: String) -> CheckedData? { dataSets.first { $0.name == name } }
}
