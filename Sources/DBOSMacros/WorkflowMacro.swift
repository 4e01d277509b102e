import SwiftDiagnostics
public import SwiftSyntax
import SwiftSyntaxBuilder
public import SwiftSyntaxMacros

/// `@Workflow` and `@Workflow(name:maxRecoveryAttempts:)` on an `async throws` free function or static method.
///
/// As a peer macro it declares the workflow itself, the closure core with the function's body:
/// ```swift
/// @Workflow func indexDocument(_ url: String) async throws -> Int { ... }
/// // adds:
/// let $indexDocument = Workflow<String, Int>("indexDocument") { (url: String) async throws -> Int in ... }
/// ```
/// As a body macro it makes the function run that workflow durably:
/// `return try await DBOS.runWorkflow($indexDocument, url)`.
public struct WorkflowMacro: PeerMacro, BodyMacro {
    public static func expansion(
        of node: AttributeSyntax,
        providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        guard let function = AnnotatedFunction(macro: "@Workflow", attribute: node, declaration: declaration, in: context) else {
            context.diagnose(Diagnostic(node: node, message: DBOSMessage.error(
                "notAFunction", "@Workflow can only be applied to a function (a free function or a static method)")))
            return []
        }
        if let body = function.decl.body {
            for diagnostic in DeterminismChecker.check(body) { context.diagnose(diagnostic) }
        }
        guard check(function, in: context) else { return [] }

        let parameters = function.parameters.map { (name: AnnotatedFunction.internalName(of: $0)!, type: Self.inputType(of: $0)) }
        let types = (parameters.map(\.type) + [function.outputType]).joined(separator: ", ")
        let closureParameters = "(" + parameters.map { "\($0.name): \($0.type)" }.joined(separator: ", ") + ")"
        var arguments = function.durableName.description
        if let attempts = function.argument("maxRecoveryAttempts") { arguments += ", maxRecoveryAttempts: \(attempts)" }
        arguments += ", codeFingerprint: \"\(codeFingerprint(of: function.decl))\""
        let modifiers = [function.accessModifier, function.isStatic ? "static" : nil].compactMap { $0 } + ["let"]
        let declaration: DeclSyntax = """
            /// The durable workflow behind `\(raw: function.name)`; register it with `dbos.register($\(raw: function.name))`.
            \(raw: modifiers.joined(separator: " ")) $\(raw: function.name) = Workflow<\(raw: types)>(\(raw: arguments)) \(raw: function.closure(parameters: closureParameters))
            """
        return [declaration]
    }

    public static func expansion(
        of node: AttributeSyntax,
        providingBodyFor declaration: some DeclSyntaxProtocol & WithOptionalCodeBlockSyntax,
        in context: some MacroExpansionContext
    ) throws -> [CodeBlockItemSyntax] {
        // Misuse is reported once, by the peer expansion; here it only leaves the body alone.
        guard let function = AnnotatedFunction(macro: "@Workflow", attribute: node, declaration: declaration, in: context),
              check(function, in: SilentContext(context)) else {
            return declaration.body.map { Array($0.statements) } ?? []
        }
        let arguments = function.parameters.map { ", " + AnnotatedFunction.internalName(of: $0)! }.joined()
        let call = "DBOS.runWorkflow($\(function.name)\(arguments))"
        let text = function.returnType == nil ? "_ = try await \(call)" : "return try await \(call)"
        return [CodeBlockItemSyntax("\(raw: text)")]
    }

    /// A parameter's type as the workflow's input type (without `sending`, `borrowing`, ...).
    static func inputType(of parameter: FunctionParameterSyntax) -> String {
        if let attributed = parameter.type.as(AttributedTypeSyntax.self), attributed.attributes.isEmpty {
            return attributed.baseType.trimmedDescription
        }
        return parameter.type.trimmedDescription
    }

    /// Reports misuse; returns false when no workflow can be generated.
    static func check(_ function: AnnotatedFunction, in context: some MacroExpansionContext) -> Bool {
        var ok = function.checkSignature(in: context)
        if let type = function.enclosingType {
            if !function.isStatic {
                var fixed = function.decl
                fixed.modifiers.append(DeclModifierSyntax(name: .keyword(.static, trailingTrivia: .space)))
                if function.decl.modifiers.isEmpty {
                    fixed.funcKeyword.leadingTrivia = []
                    fixed.modifiers = [DeclModifierSyntax(name: .keyword(.static, leadingTrivia: function.decl.funcKeyword.leadingTrivia, trailingTrivia: .space))]
                }
                function.error(in: context, "instanceWorkflow", """
                    @Workflow cannot be applied to an instance method: a workflow is recovered without an instance; \
                    make '\(function.name)' static, or a free function
                    """, fixIts: [FixIt(message: DBOSFixIt(message: "Make '\(function.name)' static", id: "makeStatic"),
                                        changes: [.replace(oldNode: Syntax(function.decl), newNode: Syntax(fixed))])])
                ok = false
            }
            if let generic = Self.genericParameters(of: type) {
                function.error(in: context, "workflowInGenericType", """
                    @Workflow cannot be declared in a generic type ('\(generic)'): the workflow is a static stored \
                    property; declare it in a non-generic type or at file scope
                    """)
                ok = false
            }
        }
        if function.enclosingType == nil, !function.lexicalContext.isEmpty {
            function.error(in: context, "localWorkflow", """
                @Workflow cannot be applied to a local function: declare '\(function.name)' at file scope or as a \
                static method, so it can be registered and recovered
                """)
            ok = false
        }
        if let generics = function.decl.genericParameterClause {
            function.error(in: context, "genericWorkflow", """
                @Workflow cannot be applied to a generic function ('\(function.name)\(generics.trimmedDescription)'): \
                a workflow's inputs and output are stored and recovered, so their types must be concrete
                """)
            ok = false
        }
        for (index, parameter) in function.parameters.enumerated() {
            guard let name = AnnotatedFunction.internalName(of: parameter) else {
                function.error(in: context, "unnamedParameter", """
                    parameter \(index + 1) of @Workflow '\(function.name)' has no name: every parameter is a stored \
                    input of the workflow and is passed on to it; give it a name
                    """)
                ok = false
                continue
            }
            if parameter.ellipsis != nil {
                function.error(in: context, "variadicParameter", """
                    parameter '\(name)' of @Workflow '\(function.name)' is variadic: take an array \
                    ('[\(parameter.type.trimmedDescription)]') instead
                    """)
                ok = false
            }
            if let attributed = parameter.type.as(AttributedTypeSyntax.self),
               attributed.specifiers.contains(where: { $0.as(SimpleTypeSpecifierSyntax.self)?.specifier.tokenKind == .keyword(.inout) }) {
                function.error(in: context, "inoutParameter", """
                    parameter '\(name)' of @Workflow '\(function.name)' is 'inout': workflow inputs are stored as \
                    JSON and cannot be written back; return the new value instead
                    """)
                ok = false
            } else if let reason = nonCodableReason(parameter.type) {
                function.error(in: context, "nonCodableParameter", """
                    parameter '\(name)' of @Workflow '\(function.name)' has \(reason) \
                    ('\(parameter.type.trimmedDescription)'): workflow inputs are stored as JSON and must be Codable
                    """)
                ok = false
            }
        }
        if let output = function.returnType, let reason = nonCodableReason(output) {
            function.error(in: context, "nonCodableOutput", """
                the result of @Workflow '\(function.name)' has \(reason) ('\(output.trimmedDescription)'): a \
                workflow's output is stored as JSON and must be a concrete Codable type
                """)
            ok = false
        }
        return ok
    }

    /// Why `type` is clearly not Codable (as far as syntax can tell), or nil.
    static func nonCodableReason(_ type: TypeSyntax) -> String? {
        if type.is(FunctionTypeSyntax.self) { return "a function type" }
        if let some = type.as(SomeOrAnyTypeSyntax.self) {
            return some.someOrAnySpecifier.tokenKind == .keyword(.some) ? "an opaque type" : "an existential type"
        }
        if type.is(MetatypeTypeSyntax.self) { return "a metatype" }
        if let attributed = type.as(AttributedTypeSyntax.self) { return nonCodableReason(attributed.baseType) }
        if let optional = type.as(OptionalTypeSyntax.self) { return nonCodableReason(optional.wrappedType) }
        if let optional = type.as(ImplicitlyUnwrappedOptionalTypeSyntax.self) { return nonCodableReason(optional.wrappedType) }
        if let array = type.as(ArrayTypeSyntax.self) { return nonCodableReason(array.element) }
        if let dictionary = type.as(DictionaryTypeSyntax.self) {
            return nonCodableReason(dictionary.key) ?? nonCodableReason(dictionary.value)
        }
        if let tuple = type.as(TupleTypeSyntax.self) {
            if tuple.elements.count == 1, let only = tuple.elements.first, only.firstName == nil { return nonCodableReason(only.type) }
            return tuple.elements.isEmpty ? "the type '()'" : "a tuple type"
        }
        if let identifier = type.as(IdentifierTypeSyntax.self) {
            if ["Any", "AnyObject"].contains(identifier.name.text) { return "an existential type" }
            for argument in identifier.genericArgumentClause?.arguments ?? [] {
                if case .type(let argumentType) = argument.argument, let reason = nonCodableReason(argumentType) { return reason }
            }
        }
        return nil
    }

    /// `Name<T>` when `type` is a generic struct, class, enum or actor.
    static func genericParameters(of type: Syntax) -> String? {
        func describe(_ name: TokenSyntax, _ clause: GenericParameterClauseSyntax?) -> String? {
            clause.map { name.text + $0.trimmedDescription }
        }
        if let decl = type.as(StructDeclSyntax.self) { return describe(decl.name, decl.genericParameterClause) }
        if let decl = type.as(ClassDeclSyntax.self) { return describe(decl.name, decl.genericParameterClause) }
        if let decl = type.as(EnumDeclSyntax.self) { return describe(decl.name, decl.genericParameterClause) }
        if let decl = type.as(ActorDeclSyntax.self) { return describe(decl.name, decl.genericParameterClause) }
        return nil
    }
}

/// Forwards to another expansion context but drops its diagnostics.
final class SilentContext<Base: MacroExpansionContext>: MacroExpansionContext {
    let base: Base
    init(_ base: Base) { self.base = base }
    func makeUniqueName(_ name: String) -> TokenSyntax { base.makeUniqueName(name) }
    func diagnose(_ diagnostic: Diagnostic) {}
    func location(of node: some SyntaxProtocol, at position: PositionInSyntaxNode,
                  filePathMode: SourceLocationFilePathMode) -> AbstractSourceLocation? {
        base.location(of: node, at: position, filePathMode: filePathMode)
    }
    var lexicalContext: [Syntax] { base.lexicalContext }
}

/// A fingerprint of a workflow function's code: a 64-bit FNV-1a hash of the tokens of its
/// signature and body, so comments and formatting do not change it but any change to the code
/// does. The runtime's default application version includes it.
public func codeFingerprint(of function: FunctionDeclSyntax) -> String {
    var hash: UInt64 = 0xcbf29ce484222325
    let tokens = function.signature.tokens(viewMode: .sourceAccurate).map(\.text)
        + (function.body?.tokens(viewMode: .sourceAccurate).map(\.text) ?? [])
    for byte in tokens.joined(separator: " ").utf8 {
        hash = (hash ^ UInt64(byte)) &* 0x100000001b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
