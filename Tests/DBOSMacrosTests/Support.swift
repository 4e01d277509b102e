import SwiftDiagnostics
import DBOSMacros
import SwiftParser
import SwiftSyntax
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacros
import SwiftSyntaxMacrosGenericTestSupport
import Testing

/// The DBOS macros by the names the `DBOS` module declares them under.
let dbosMacros: [String: MacroSpec] = [
    "Step": MacroSpec(type: StepMacro.self),
    "Workflow": MacroSpec(type: WorkflowMacro.self),
    "Workflows": MacroSpec(type: WorkflowsMacro.self),
]

/// `assertMacroExpansion` reporting through swift-testing.
func assertExpansion(
    _ source: String,
    expandedSource: String,
    diagnostics: [DiagnosticSpec] = [],
    applyFixIts: [String]? = nil,
    fixedSource: String? = nil,
    fileID: StaticString = #fileID,
    filePath: StaticString = #filePath,
    line: UInt = #line,
    column: UInt = #column
) {
    assertMacroExpansion(
        source, expandedSource: expandedSource, diagnostics: diagnostics, macroSpecs: dbosMacros,
        applyFixIts: applyFixIts, fixedSource: fixedSource, indentationWidth: .spaces(4),
        failureHandler: { failure in
            Issue.record(
                Comment(rawValue: failure.message),
                sourceLocation: SourceLocation(
                    fileID: failure.location.fileID, filePath: failure.location.filePath,
                    line: failure.location.line, column: failure.location.column))
        },
        fileID: fileID, filePath: filePath, line: line, column: column)
}

/// The code fingerprint `@Workflow` gives the first function declared in `source`.
func fingerprint(ofFunctionIn source: String) -> String {
    let function = Parser.parse(source: source).statements.compactMap { $0.item.as(FunctionDeclSyntax.self) }.first!
    return codeFingerprint(of: function)
}
