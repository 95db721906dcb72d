// MalformedFileTests: `netlang check` on malformed files, end to end through the Driver:
// every one gives a located diagnostic and exit status 1 (or a clean pass), never a crash.

import Foundation
import Testing

@testable import NetLang

@Suite("malformed files through netlang check")
struct MalformedFileTests {
  static let cases: [(name: String, bytes: [UInt8], status: NetLang.ExitStatus)] = [
    ("empty", [], .success),
    ("only a comment", Array("# nothing here\n".utf8), .success),
    ("NUL bytes", Array("model M {\n".utf8) + [0, 0, 0] + Array("\n}\n".utf8), .checkFailed),
    ("invalid UTF-8", Array("let x = ".utf8) + [0xC3, 0x28, 0xFF] + [10], .checkFailed),
    ("unterminated string", Array("import \"blocks.net\n".utf8), .checkFailed),
    ("unterminated block", Array("model M {\n  input x: [2]\n".utf8), .checkFailed),
    ("number out of range", Array("let x = 1e99999\n".utf8), .checkFailed),
    (
      "deep nesting", Array(("let x = " + String(repeating: "(", count: 100_000)).utf8),
      .checkFailed
    ),
    (
      "deep brackets", Array(("let x = " + String(repeating: "[", count: 100_000)).utf8),
      .checkFailed
    ),
    ("missing import", Array("import \"no/such/file.net\"\n".utf8), .checkFailed),
    (
      "huge repeat",
      Array(
        "model M {\n  input x: [2]\n  repeat 1000000000 {\n    x = relu(x)\n  }\n  output y = x\n}\n"
          .utf8),
      .checkFailed
    ),
    (
      "recursive block",
      Array(
        "block b(x) {\n  return b(x)\n}\nmodel M {\n  input x: [2]\n  output y = b(x)\n}\n".utf8),
      .checkFailed
    ),
    (
      "binary garbage", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) },
      .checkFailed
    ),
    ("CRLF with an error", Array("let x = 1\r\nlet y = z\r\n".utf8), .checkFailed),
  ]

  @Test(
    "each malformed file gives a located diagnostic and the right exit status",
    arguments: cases.indices)
  func malformed(index: Int) throws {
    let entry = Self.cases[index]
    let folder = try temporaryFolder([:])
    let path = folder + "/case.net"
    try Data(entry.bytes).write(to: URL(fileURLWithPath: path))
    let (status, output, errors) = runNetlang(["check", path])
    #expect(status == entry.status, "\(entry.name): \(errors)")
    if entry.status == .success {
      #expect(output.contains("OK"))
    } else {
      // A compiler-style header: path:line:column: error[E....]:
      let header = errors.split(separator: "\n").first ?? ""
      #expect(header.hasPrefix(path + ":"), "\(entry.name): \(header)")
      #expect(header.contains(": error[E0"), "\(entry.name): \(header)")
    }
  }
}
