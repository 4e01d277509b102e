import SwiftDiagnostics
public import SwiftSyntax
import SwiftSyntaxBuilder
public import SwiftSyntaxMacros

/// `@Step` and `@Step(name:retries:timeout:)`: wraps a function's body in `DBOS.step`, so that inside a
/// workflow its outcome is checkpointed (and replayed on recovery).
///
/// ```swift
/// @Step(retries: .exponential(maxAttempts: 5))
/// func embed(_ text: String) async throws -> Int { ... }
/// // body becomes:
/// return try await DBOS.step("embed", retries: .exponential(maxAttempts: 5)) { () async throws -> Int in ... }
/// ```
public struct StepMacro: BodyMacro {
    public static func expansion(
        of node: AttributeSyntax,
        providingBodyFor declaration: some DeclSyntaxProtocol & WithOptionalCodeBlockSyntax,
        in context: some MacroExpansionContext
    ) throws -> [CodeBlockItemSyntax] {
        guard let function = AnnotatedFunction(macro: "@Step", attribute: node, declaration: declaration, in: context) else {
            context.diagnose(Diagnostic(node: node, message: DBOSMessage.error(
                "notAFunction", "@Step can only be applied to a function (a free function, a static or an instance method)")))
            return declaration.body.map { Array($0.statements) } ?? []
        }
        guard check(function, in: context) else { return function.originalStatements }

        let retries = function.argument("retries") ?? ".none"
        let timeout = function.argument("timeout").map { ", timeout: \($0)" } ?? ""
        let call = "DBOS.step(\(function.durableName), retries: \(retries)\(timeout))"
        let closure = function.closure(parameters: "()")
        let text = function.returnType == nil ? "_ = try await \(call) \(closure)" : "return try await \(call) \(closure)"
        return [CodeBlockItemSyntax("\(raw: text)")]
    }

    /// Reports misuse; returns false when the function cannot be wrapped.
    static func check(_ function: AnnotatedFunction, in context: some MacroExpansionContext) -> Bool {
        var ok = function.checkSignature(in: context)
        if function.isMutating {
            function.error(in: context, "mutatingStep", """
                @Step cannot be applied to a mutating method: when the step is replayed only its recorded result \
                comes back, so changes to 'self' would be lost; return the new value instead
                """)
            ok = false
        }
        if function.enclosingType?.is(ActorDeclSyntax.self) == true, !function.isStatic,
           !function.decl.modifiers.contains(where: { $0.name.tokenKind == .keyword(.nonisolated) }) {
            function.error(in: context, "actorIsolatedStep", """
                @Step cannot be applied to an actor-isolated method: the step body runs in a @Sendable closure \
                outside the actor; make '\(function.name)' nonisolated, or move the step out of the actor
                """)
            ok = false
        }
        for parameter in function.parameters where parameter.type.is(AttributedTypeSyntax.self) {
            let attributed = parameter.type.as(AttributedTypeSyntax.self)!
            if attributed.specifiers.contains(where: { $0.as(SimpleTypeSpecifierSyntax.self)?.specifier.tokenKind == .keyword(.inout) }) {
                let name = AnnotatedFunction.internalName(of: parameter) ?? parameter.firstName.text
                function.error(in: context, "inoutStepParameter", """
                    parameter '\(name)' of a @Step is 'inout': when the step is replayed only its recorded result \
                    comes back, so the change would be lost; return the new value instead
                    """)
                ok = false
            }
        }
        if let body = function.decl.body {
            let finder = WorkflowCallFinder()
            finder.walk(body)
            if let first = finder.found.first {
                function.error(in: context, "workflowInStep", """
                    @Step '\(function.name)' starts a workflow ('\(first.description)'): a step cannot contain a \
                    workflow; make '\(function.name)' a @Workflow, or start the workflow from the calling workflow
                    """, notes: finder.found.map {
                        Note(node: $0.node, message: DBOSNote(message: "workflow started here", id: "workflowStartedHere"))
                    })
                ok = false
            }
        }
        return ok
    }
}
