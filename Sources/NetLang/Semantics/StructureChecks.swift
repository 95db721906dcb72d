// StructureChecks: rules on the shape of declarations that need no evaluation: where
// `input`, `output` and `return` may stand, and the order of block parameters.

extension Checker {
  /// Checks every block and model body once, before anything is evaluated.
  mutating func checkStructure() {
    for unit in units {
      for declaration in unit.declarations {
        switch declaration {
        case .blockDecl(let decl): checkBlockStructure(decl)
        case .modelDecl(let decl): checkBodyStructure(decl.body, inBlock: false, topLevel: true)
        default: break
        }
      }
    }
  }

  private mutating func checkBlockStructure(_ decl: BlockDecl) {
    var seen: [String: Identifier] = [:]
    var sawDefault = false
    for parameter in decl.parameters {
      if let previous = seen[parameter.name.name] {
        report(SemanticDiagnostics.duplicateLocal(parameter.name, previous: previous.span))
      }
      seen[parameter.name.name] = parameter.name
      if parameter.defaultValue != nil {
        sawDefault = true
      } else if sawDefault {
        report(SemanticDiagnostics.parameterOrder(parameter.name, block: decl.name.name))
      }
    }
    checkBodyStructure(decl.body, inBlock: true, topLevel: true)
    let endsWithReturn: Bool
    if case .returnStmt = decl.body.last { endsWithReturn = true } else { endsWithReturn = false }
    if !endsWithReturn {
      report(SemanticDiagnostics.missingReturn(decl.name))
    }
  }

  private mutating func checkBodyStructure(_ body: [Stmt], inBlock: Bool, topLevel: Bool) {
    for (index, statement) in body.enumerated() {
      switch statement {
      case .input(_, _, let span):
        if inBlock { report(SemanticDiagnostics.misplacedStatement("input", at: span)) }
      case .output(_, _, let span):
        if inBlock { report(SemanticDiagnostics.misplacedStatement("output", at: span)) }
      case .returnStmt(_, let span):
        if !inBlock {
          report(SemanticDiagnostics.misplacedStatement("return", at: span))
        } else if !topLevel || index != body.count - 1 {
          report(SemanticDiagnostics.returnNotLast(at: span))
        }
      case .forLoop(_, _, let inner, _), .repeatLoop(_, let inner, _):
        checkBodyStructure(inner, inBlock: inBlock, topLevel: false)
      case .assign, .error:
        break
      }
    }
  }
}
