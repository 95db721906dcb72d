// Frontend: everything before lowering. Reads the main file and its imports (relative to the
// importing file), lexes and parses them, then runs the checker on a thread with a large stack
// (deep block inlining recurses) and returns the diagnostics and the checked program.

import Foundation
import NetLangTraining

/// What the front end produced for one main file.
public struct FrontendResult {
  /// The main file (id 0) and every imported file.
  public var files: SourceFiles
  public var diagnostics: [Diagnostic]
  /// Nil when there are errors.
  public var program: CheckedProgram?
  /// The parsed files, imports before the files that import them.
  public var units: [SourceUnit]

  public init(
    files: SourceFiles, diagnostics: [Diagnostic], program: CheckedProgram?, units: [SourceUnit]
  ) {
    self.files = files
    self.diagnostics = diagnostics
    self.program = program
    self.units = units
  }
}

/// Reads, parses and checks a `.net` file and its imports.
public enum Frontend {
  /// Stack size of the checking thread.
  static let checkerStackSize = 512 << 20
  /// Deepest chain of imports followed.
  static let maximumImportDepth = 64

  /// Reads `path` (and its imports, relative to the importing file; an import cycle is error
  /// E0204, a missing import an error at the path string), lexes, parses, checks.
  public static func check(
    path: String, readFile: (String) -> [UInt8]?,
    inspectData: (DataSourceSpec) throws(DataError) -> DataSchema
  ) -> FrontendResult {
    withoutActuallyEscaping(readFile) { read in
      withoutActuallyEscaping(inspectData) { inspect in
        checkEscaping(path: path, readFile: read, inspectData: inspect)
      }
    }
  }

  private static func checkEscaping(
    path: String, readFile: @escaping (String) -> [UInt8]?,
    inspectData: @escaping (DataSourceSpec) throws(DataError) -> DataSchema
  ) -> FrontendResult {
    var loader = ImportLoader(readFile: readFile)
    guard let main = loader.load(path: normalize(path), display: path, importedFrom: nil) else {
      var files = SourceFiles()
      let id = files.add(path: path, bytes: [])
      let span = SourceSpan(file: id, start: 0, end: 0)
      let diagnostic = Diagnostic.error(
        .unreadableImport, "cannot read '\(path)'", at: span)
      return FrontendResult(files: files, diagnostics: [diagnostic], program: nil, units: [])
    }
    var result = FrontendResult(
      files: loader.files, diagnostics: loader.diagnostics, program: nil, units: loader.units)
    guard !result.diagnostics.hasErrors else { return result }
    var directories: [FileID: String] = [:]
    for file in loader.files.files { directories[file.id] = directory(of: file.path) }
    let box = CheckerBox(
      Checker(
        files: loader.files, units: loader.units, mainFile: main, directories: directories,
        inspectData: inspectData))
    runWithLargeStack { box.run() }
    result.diagnostics += box.diagnostics
    result.program = box.program
    return result
  }

  /// `a/./b/../c.net` → `a/c.net`.
  static func normalize(_ path: String) -> String {
    let absolute = path.hasPrefix("/")
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
      if part == "." { continue }
      if part == "..", let last = parts.last, last != ".." {
        parts.removeLast()
      } else if part == "..", absolute {
        continue
      } else {
        parts.append(part)
      }
    }
    let joined = parts.joined(separator: "/")
    return absolute ? "/" + joined : joined
  }

  /// The directory part of a path ("" for a bare file name).
  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    let directory = String(path[..<slash])
    return directory.isEmpty ? "/" : directory
  }

  /// Runs `body` on a thread with a large stack and waits for it.
  private static func runWithLargeStack(_ body: @escaping @Sendable () -> Void) {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      body()
      done.signal()
    }
    thread.stackSize = checkerStackSize
    thread.start()
    done.wait()
  }
}

/// Carries the checker to the checking thread and its results back; used by one thread at a
/// time (the caller waits).
private final class CheckerBox: @unchecked Sendable {
  /// Dropped after the run, so no reference to the caller's closures outlives `check`.
  var checker: Checker?
  var program: CheckedProgram?
  var diagnostics: [Diagnostic] = []
  init(_ checker: Checker) { self.checker = checker }
  func run() {
    program = checker?.run()
    diagnostics = checker?.diagnostics ?? []
    checker = nil
  }
}

/// Reads and parses a file and, depth first, the files it imports.
struct ImportLoader {
  let readFile: (String) -> [UInt8]?
  var files = SourceFiles()
  var units: [SourceUnit] = []
  var diagnostics: [Diagnostic] = []
  private var loaded: [String: FileID] = [:]
  private var stack: [String] = []

  init(readFile: @escaping (String) -> [UInt8]?) {
    self.readFile = readFile
  }

  /// Loads `path` (normalised; `display` is how diagnostics show it, by default `path`); nil
  /// when it cannot be read (reported at `importedFrom` when given).
  mutating func load(path: String, display: String? = nil, importedFrom: ImportDecl?) -> FileID? {
    if stack.contains(path) {
      if let importedFrom {
        let cycle = (stack.drop { $0 != path } + [path]).joined(separator: " → ")
        diagnostics.append(
          .error(
            .importCycle, "import cycle: \(cycle)", at: importedFrom.pathSpan,
            notes: [.help("move what both files need into a third file")]))
      }
      return nil
    }
    if let id = loaded[path] { return id }
    if stack.count >= Frontend.maximumImportDepth, let importedFrom {
      diagnostics.append(
        .error(
          .importCycle, "imports are nested more than \(Frontend.maximumImportDepth) deep",
          at: importedFrom.pathSpan))
      return nil
    }
    guard let bytes = readFile(display ?? path) else {
      if let importedFrom {
        diagnostics.append(
          .error(
            .unreadableImport, "cannot read imported file '\(importedFrom.path)'",
            at: importedFrom.pathSpan, notes: [.note("looked for '\(path)'")]))
      }
      return nil
    }
    let id = files.add(path: display ?? path, bytes: bytes)
    loaded[path] = id
    var parseDiagnostics: [Diagnostic] = []
    let unit = Parser.parse(files[id], into: &parseDiagnostics)
    diagnostics += parseDiagnostics
    stack.append(path)
    let directory = Frontend.directory(of: path)
    for declaration in unit.declarations {
      guard case .importDecl(let decl) = declaration else { continue }
      let target =
        decl.path.hasPrefix("/") || directory.isEmpty
        ? decl.path : directory + "/" + decl.path
      _ = load(path: Frontend.normalize(target), importedFrom: decl)
    }
    stack.removeLast()
    units.append(unit)
    return id
  }
}
