// ONNXModel: the onnx.proto messages netlang writes (model, graph, node, attribute, tensor,
// value info, opset), as value types that encode to protobuf and decode back for tests.

/// TensorProto.DataType values netlang uses.
public enum ONNXDataType: Int64, Sendable {
  case float = 1
  case int64 = 7
}

/// Why decoded bytes are not an ONNX model netlang can read.
public enum ONNXDecodingError: Error, Equatable, Sendable {
  case protobuf(ProtobufError)
  case missing(String)
  case unsupported(String)
}

/// A TensorProto with its elements in `raw_data` (little-endian), as netlang writes them.
public struct ONNXTensor: Equatable, Sendable {
  public var name: String
  public var dims: [Int64]
  public var dataType: ONNXDataType
  public var rawData: [UInt8]

  public init(name: String, dims: [Int], floats: [Float]) {
    self.name = name
    self.dims = dims.map(Int64.init)
    dataType = .float
    rawData = []
    rawData.reserveCapacity(floats.count * 4)
    for value in floats { rawData.append(littleEndian: UInt64(value.bitPattern), count: 4) }
  }

  public init(name: String, dims: [Int], int64s: [Int64]) {
    self.name = name
    self.dims = dims.map(Int64.init)
    dataType = .int64
    rawData = []
    for value in int64s { rawData.append(littleEndian: UInt64(bitPattern: value), count: 8) }
  }

  /// The elements of a float tensor.
  public var floats: [Float] {
    guard dataType == .float else { return [] }
    return stride(from: 0, to: rawData.count - 3, by: 4).map { start in
      Float(bitPattern: UInt32(rawData.littleEndian(at: start, count: 4)))
    }
  }

  /// The elements of an int64 tensor.
  public var int64s: [Int64] {
    guard dataType == .int64 else { return [] }
    return stride(from: 0, to: rawData.count - 7, by: 8).map { start in
      Int64(bitPattern: rawData.littleEndian(at: start, count: 8))
    }
  }

  var encoded: ProtobufWriter {
    var writer = ProtobufWriter()
    writer.packedInts(1, dims)
    writer.int(2, dataType.rawValue)
    writer.string(8, name)
    writer.bytes(9, rawData)
    return writer
  }

  init(decoding message: ProtobufMessage) throws(ONNXDecodingError) {
    do {
      name = try message.string(8) ?? ""
      dims = try message.ints(1)
      guard let type = try message.int(2), let known = ONNXDataType(rawValue: type) else {
        throw ONNXDecodingError.unsupported("tensor '\(name)' has an unknown data type")
      }
      dataType = known
      if let raw = try message.byteStrings(9).last {
        rawData = raw
      } else if known == .float {
        rawData = []
        for value in try message.floats(4) {
          rawData.append(littleEndian: UInt64(value.bitPattern), count: 4)
        }
      } else {
        rawData = []
        for value in try message.ints(7) {
          rawData.append(littleEndian: UInt64(bitPattern: value), count: 8)
        }
      }
    } catch let error as ProtobufError {
      throw .protobuf(error)
    } catch let error as ONNXDecodingError {
      throw error
    } catch {
      throw .unsupported("\(error)")
    }
  }
}

/// An AttributeProto of the kinds netlang writes.
public struct ONNXAttribute: Equatable, Sendable {
  public enum Value: Equatable, Sendable {
    case float(Float)
    case int(Int64)
    case string(String)
    case floats([Float])
    case ints([Int64])
    case tensor(ONNXTensor)
  }
  public var name: String
  public var value: Value

  public init(_ name: String, _ value: Value) {
    self.name = name
    self.value = value
  }

  var encoded: ProtobufWriter {
    var writer = ProtobufWriter()
    writer.string(1, name)
    // AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, FLOATS 6, INTS 7.
    switch value {
    case .float(let f):
      writer.int(20, 1)
      writer.float(2, f)
    case .int(let i):
      writer.int(20, 2)
      writer.int(3, i)
    case .string(let s):
      writer.int(20, 3)
      writer.string(4, s)
    case .tensor(let t):
      writer.int(20, 4)
      writer.message(5, t.encoded)
    case .floats(let values):
      writer.int(20, 6)
      writer.packedFloats(7, values)
    case .ints(let values):
      writer.int(20, 7)
      writer.packedInts(8, values)
    }
    return writer
  }

  init(decoding message: ProtobufMessage) throws(ONNXDecodingError) {
    do {
      name = try message.string(1) ?? ""
      switch try message.int(20) {
      case 1: value = .float(try message.float(2) ?? 0)
      case 2: value = .int(try message.int(3) ?? 0)
      case 3: value = .string(try message.string(4) ?? "")
      case 4:
        guard let tensor = try message.message(5) else {
          throw ProtobufError.wrongWireType(field: 5)
        }
        value = .tensor(try ONNXTensor(decoding: tensor))
      case 6: value = .floats(try message.floats(7))
      case 7: value = .ints(try message.ints(8))
      default: throw ONNXDecodingError.unsupported("attribute '\(name)' of an unknown type")
      }
    } catch let error as ProtobufError {
      throw .protobuf(error)
    } catch let error as ONNXDecodingError {
      throw error
    } catch {
      throw .unsupported("\(error)")
    }
  }
}

/// A NodeProto: one operator call.
public struct ONNXNode: Equatable, Sendable {
  public var opType: String
  public var inputs: [String]
  public var outputs: [String]
  public var name: String
  public var attributes: [ONNXAttribute]

  public init(
    _ opType: String, inputs: [String], outputs: [String], name: String = "",
    attributes: [ONNXAttribute] = []
  ) {
    self.opType = opType
    self.inputs = inputs
    self.outputs = outputs
    self.name = name
    self.attributes = attributes
  }

  /// The attribute called `name`, if present.
  public func attribute(_ name: String) -> ONNXAttribute.Value? {
    attributes.first { $0.name == name }?.value
  }

  var encoded: ProtobufWriter {
    var writer = ProtobufWriter()
    for input in inputs { writer.string(1, input) }
    for output in outputs { writer.string(2, output) }
    if !name.isEmpty { writer.string(3, name) }
    writer.string(4, opType)
    for attribute in attributes { writer.message(5, attribute.encoded) }
    return writer
  }

  init(decoding message: ProtobufMessage) throws(ONNXDecodingError) {
    do {
      inputs = try message.strings(1)
      outputs = try message.strings(2)
      name = try message.string(3) ?? ""
      opType = try message.string(4) ?? ""
      var attributes: [ONNXAttribute] = []
      for attribute in try message.messages(5) {
        attributes.append(try ONNXAttribute(decoding: attribute))
      }
      self.attributes = attributes
    } catch let error as ProtobufError {
      throw .protobuf(error)
    } catch let error as ONNXDecodingError {
      throw error
    } catch {
      throw .unsupported("\(error)")
    }
  }
}

/// A ValueInfoProto for a tensor: name, element type and shape (fixed or symbolic dims).
public struct ONNXValueInfo: Equatable, Sendable {
  public enum Dimension: Equatable, Sendable {
    case value(Int64)
    case parameter(String)
  }
  public var name: String
  public var elementType: ONNXDataType
  public var dims: [Dimension]

  public init(name: String, elementType: ONNXDataType = .float, dims: [Dimension]) {
    self.name = name
    self.elementType = elementType
    self.dims = dims
  }

  var encoded: ProtobufWriter {
    var shape = ProtobufWriter()
    for dim in dims {
      var dimension = ProtobufWriter()
      switch dim {
      case .value(let value): dimension.int(1, value)
      case .parameter(let name): dimension.string(2, name)
      }
      shape.message(1, dimension)
    }
    var tensorType = ProtobufWriter()
    tensorType.int(1, elementType.rawValue)
    tensorType.message(2, shape)
    var type = ProtobufWriter()
    type.message(1, tensorType)
    var writer = ProtobufWriter()
    writer.string(1, name)
    writer.message(2, type)
    return writer
  }

  init(decoding message: ProtobufMessage) throws(ONNXDecodingError) {
    do {
      name = try message.string(1) ?? ""
      guard let tensorType = try message.message(2)?.message(1) else {
        throw ONNXDecodingError.missing("tensor type of '\(name)'")
      }
      guard let type = try tensorType.int(1), let known = ONNXDataType(rawValue: type) else {
        throw ONNXDecodingError.unsupported("element type of '\(name)'")
      }
      elementType = known
      var dims: [Dimension] = []
      for dimension in try tensorType.message(2)?.messages(1) ?? [] {
        if let parameter = try dimension.string(2) {
          dims.append(.parameter(parameter))
        } else {
          dims.append(.value(try dimension.int(1) ?? 0))
        }
      }
      self.dims = dims
    } catch let error as ProtobufError {
      throw .protobuf(error)
    } catch let error as ONNXDecodingError {
      throw error
    } catch {
      throw .unsupported("\(error)")
    }
  }
}

/// A GraphProto: nodes in topological order, initializers (the weights), inputs, outputs.
public struct ONNXGraph: Equatable, Sendable {
  public var name: String
  public var nodes: [ONNXNode] = []
  public var initializers: [ONNXTensor] = []
  public var inputs: [ONNXValueInfo] = []
  public var outputs: [ONNXValueInfo] = []

  public init(name: String) { self.name = name }

  /// The initializer called `name`, if any.
  public func initializer(_ name: String) -> ONNXTensor? {
    initializers.first { $0.name == name }
  }

  var encoded: ProtobufWriter {
    var writer = ProtobufWriter()
    for node in nodes { writer.message(1, node.encoded) }
    writer.string(2, name)
    for tensor in initializers { writer.message(5, tensor.encoded) }
    for input in inputs { writer.message(11, input.encoded) }
    for output in outputs { writer.message(12, output.encoded) }
    return writer
  }

  init(decoding message: ProtobufMessage) throws(ONNXDecodingError) {
    do {
      name = try message.string(2) ?? ""
      for node in try message.messages(1) { nodes.append(try ONNXNode(decoding: node)) }
      for tensor in try message.messages(5) {
        initializers.append(try ONNXTensor(decoding: tensor))
      }
      for input in try message.messages(11) { inputs.append(try ONNXValueInfo(decoding: input)) }
      for output in try message.messages(12) {
        outputs.append(try ONNXValueInfo(decoding: output))
      }
    } catch let error as ProtobufError {
      throw .protobuf(error)
    } catch let error as ONNXDecodingError {
      throw error
    } catch {
      throw .unsupported("\(error)")
    }
  }
}

/// A ModelProto: IR version, the opsets imported, who produced it, and the graph.
public struct ONNXModel: Equatable, Sendable {
  /// IR version 8 goes with opset 17.
  public var irVersion: Int64 = 8
  /// (domain, version) pairs; "" is the default ONNX domain.
  public var opsetImports: [ONNXOpset] = [ONNXOpset(domain: "", version: 17)]
  public var producerName = "netlang"
  public var producerVersion = ""
  public var graph: ONNXGraph

  public init(graph: ONNXGraph) { self.graph = graph }

  /// The model as the bytes of a `.onnx` file.
  public func serialized() -> [UInt8] {
    var writer = ProtobufWriter()
    writer.int(1, irVersion)
    writer.string(2, producerName)
    if !producerVersion.isEmpty { writer.string(3, producerVersion) }
    writer.message(7, graph.encoded)
    for opset in opsetImports {
      var entry = ProtobufWriter()
      if !opset.domain.isEmpty { entry.string(1, opset.domain) }
      entry.int(2, opset.version)
      writer.message(8, entry)
    }
    return writer.bytes
  }

  /// Reads a model from the bytes of a `.onnx` file.
  public init(bytes: [UInt8]) throws(ONNXDecodingError) {
    do {
      let message = try ProtobufMessage(bytes)
      irVersion = try message.int(1) ?? 0
      producerName = try message.string(2) ?? ""
      producerVersion = try message.string(3) ?? ""
      guard let graph = try message.message(7) else { throw ONNXDecodingError.missing("graph") }
      self.graph = try ONNXGraph(decoding: graph)
      var opsets: [ONNXOpset] = []
      for entry in try message.messages(8) {
        opsets.append(ONNXOpset(domain: try entry.string(1) ?? "", version: try entry.int(2) ?? 0))
      }
      opsetImports = opsets
    } catch let error as ProtobufError {
      throw .protobuf(error)
    } catch let error as ONNXDecodingError {
      throw error
    } catch {
      throw .unsupported("\(error)")
    }
  }
}

/// An OperatorSetIdProto.
public struct ONNXOpset: Equatable, Sendable {
  public var domain: String
  public var version: Int64
  public init(domain: String, version: Int64) {
    self.domain = domain
    self.version = version
  }
}

extension [UInt8] {
  mutating func append(littleEndian value: UInt64, count: Int) {
    for index in 0..<count { append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
  }

  func littleEndian(at start: Int, count: Int) -> UInt64 {
    var result: UInt64 = 0
    for index in 0..<count { result |= UInt64(self[start + index]) << (8 * UInt64(index)) }
    return result
  }
}
