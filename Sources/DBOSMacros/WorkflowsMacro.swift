import SwiftDiagnostics
public import SwiftSyntax
import SwiftSyntaxBuilder
public import SwiftSyntaxMacros

/// `@Workflows` on a type: adds `static var workflows: [any WorkflowDefinition]` listing the
/// workflows of its static `@Workflow` methods, for `try dbos.register(MyWorkflows.workflows)`.
public struct WorkflowsMacro: MemberMacro {
    public static func expansion(
        of node: AttributeSyntax,
        providingMembersOf declaration: some DeclGroupSyntax,
        conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        var names: [String] = []
        for member in declaration.memberBlock.members {
            guard let function = member.decl.as(FunctionDeclSyntax.self) else { continue }
            let isWorkflow = function.attributes.contains {
                guard case .attribute(let attribute) = $0 else { return false }
                return ["Workflow", "DBOS.Workflow"].contains(attribute.attributeName.trimmedDescription)
            }
            let isStatic = function.modifiers.contains { [.keyword(.static), .keyword(.class)].contains($0.name.tokenKind) }
            if isWorkflow && isStatic { names.append("$" + (function.name.identifier?.name ?? function.name.text)) }
        }
        if names.isEmpty {
            context.diagnose(Diagnostic(node: node, message: DBOSMessage.warning("noWorkflows", """
                @Workflows found no static @Workflow methods in this declaration: 'workflows' is empty
                """)))
        }
        let access = declaration.modifiers.lazy.compactMap { modifier -> String? in
            switch modifier.name.tokenKind {
            case .keyword(.public), .keyword(.open): "public "
            case .keyword(.package): "package "
            default: nil
            }
        }.first ?? ""
        return ["""
            /// The workflows declared here with `@Workflow`, for `dbos.register(_:)`.
            \(raw: access)static var workflows: [any WorkflowDefinition] {
                [\(raw: names.joined(separator: ", "))]
            }
            """]
    }
}
