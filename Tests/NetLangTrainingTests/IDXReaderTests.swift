// IDXReaderTests: MNIST IDX files, real (numbers checked with numpy) and generated broken ones.

import Testing

@testable import NetLangTraining

@Suite("idx data") struct IDXReaderTests {
  @Test(
    "mnist5k train: 4000 images [1, 28, 28], labels, class counts as in the README",
    .enabled(if: TestFiles.haveData))
  func mnistTrain() throws {
    let spec = DataSourceSpec.idx(
      images: TestFiles.data("mnist5k-train-images.idx3-ubyte"),
      labels: TestFiles.data("mnist5k-train-labels.idx1-ubyte"), scale: 1)
    let schema = try DataReader.inspect(spec)
    let data = try DataReader.load(spec)
    #expect(schema == data.schema)
    #expect(data.count == 4000)
    #expect(data.classes == 10)
    #expect(
      data.fields == [
        DataField(name: "image", shape: [1, 28, 28], kind: .real),
        DataField(name: "label", shape: [], kind: .classIndex),
      ])
    let images = try #require(data.values(named: "image"))
    let labels = try #require(data.values(named: "label"))
    // numpy: img[0].sum() == 33358, img[3999].sum() == 18538, labels[:5] == [0 7 9 9 1].
    #expect(images[0..<784].reduce(0, +) == 33358)
    #expect(images[(3999 * 784)...].reduce(0, +) == 18538)
    #expect(Array(labels[0..<5]) == [0, 7, 9, 9, 1])
    var counts = [Int](repeating: 0, count: 10)
    for label in labels { counts[Int(label)] += 1 }
    #expect(counts == [399, 394, 408, 400, 399, 399, 387, 406, 410, 398])
  }

  @Test("scale multiplies the pixels, not the labels", .enabled(if: TestFiles.haveData))
  func scale() throws {
    let data = try DataReader.load(
      .idx(
        images: TestFiles.data("mnist5k-test-images.idx3-ubyte"),
        labels: TestFiles.data("mnist5k-test-labels.idx1-ubyte"), scale: 1.0 / 255))
    let images = try #require(data.values(named: "image"))
    #expect(images.max() == 1)
    #expect(data.count == 1000)
    #expect(data.values(named: "label")?.max() == 9)
  }

  @Test("float32 images (type 0x0D) and a 2-D file give shape [n]")
  func floatImages() throws {
    var bytes = TestFiles.idxHeader(type: 0x0D, dimensions: [2, 3])
    for value: Float in [0.5, -1, 2, 3, 4.25, 1e-3] {
      bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value.bitPattern >> $0) }
    }
    let path = TestFiles.write(bytes)
    let data = try DataReader.load(.idx(images: path, labels: nil, scale: 2))
    #expect(data.fields == [DataField(name: "image", shape: [3], kind: .real)])
    #expect(data.values[0] == [1, -2, 4, 6, 8.5, 2e-3])
    #expect(data.classes == nil)
  }

  private func error(_ spec: DataSourceSpec) -> DataError? {
    do {
      _ = try DataReader.load(spec)
      return nil
    } catch { return error }
  }

  @Test("broken files give errors naming file, place and expectation")
  func brokenFiles() throws {
    let good = TestFiles.idxHeader(type: 8, dimensions: [2, 2, 2]) + [1, 2, 3, 4, 5, 6, 7, 8]
    let labels = TestFiles.write(TestFiles.idxHeader(type: 8, dimensions: [2]) + [0, 1])

    let missing = error(.idx(images: "/nonexistent/images", labels: nil, scale: 1))
    #expect(missing == DataError(path: "/nonexistent/images", message: "no such file"))

    let empty = TestFiles.write([UInt8]())
    #expect(
      error(.idx(images: empty, labels: nil, scale: 1))?.message.contains("empty file") == true)

    let shortHeader = TestFiles.write(Array(good[0..<10]))
    let header = try #require(error(.idx(images: shortHeader, labels: nil, scale: 1)))
    #expect(header.path == shortHeader)
    #expect(header.location == "byte 10")
    #expect(header.message.contains("truncated header"))

    let shortPayload = TestFiles.write(Array(good.dropLast(3)))
    let payload = try #require(error(.idx(images: shortPayload, labels: nil, scale: 1)))
    #expect(payload.location == "byte 21")
    #expect(payload.message.contains("truncated data"))

    var wrongMagic = good
    wrongMagic[2] = 0x42
    let magic = try #require(
      error(.idx(images: TestFiles.write(wrongMagic), labels: nil, scale: 1)))
    #expect(magic.location == "byte 0")
    #expect(magic.message.contains("bad magic number"))

    let threeLabels = TestFiles.write(TestFiles.idxHeader(type: 8, dimensions: [3]) + [0, 1, 2])
    let mismatch = try #require(
      error(.idx(images: TestFiles.write(good), labels: threeLabels, scale: 1)))
    #expect(mismatch.path == threeLabels)
    #expect(mismatch.message.contains("3 labels for 2 images"))

    let huge = TestFiles.write(TestFiles.idxHeader(type: 8, dimensions: [.max, .max, .max]))
    #expect(error(.idx(images: huge, labels: nil, scale: 1))?.message.contains("too large") == true)

    let fine = try DataReader.load(.idx(images: TestFiles.write(good), labels: labels, scale: 1))
    #expect(fine.values[0] == [1, 2, 3, 4, 5, 6, 7, 8])
    #expect(fine.classes == 2)
  }
}
