import SwiftCompilerPlugin
import SwiftSyntaxMacros

/// The compiler plugin that provides `@Step`, `@Workflow` and `@Workflows` to the `DBOS` module.
@main
struct DBOSMacrosPlugin: CompilerPlugin {
    let providingMacros: [any Macro.Type] = [
        StepMacro.self,
        WorkflowMacro.self,
        WorkflowsMacro.self,
    ]
}
