import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxBuilder
import SwiftSyntaxMacros

/// What the DBOS macros need to know about the function they are attached to.
struct AnnotatedFunction {
    /// `@Step` or `@Workflow`, for messages.
    let macro: String
    let attribute: AttributeSyntax
    let decl: FunctionDeclSyntax
    let lexicalContext: [Syntax]

    init?(macro: String, attribute: AttributeSyntax, declaration: some SyntaxProtocol, in context: some MacroExpansionContext) {
        self.macro = macro
        self.attribute = attribute
        lexicalContext = context.lexicalContext
        guard let decl = declaration.as(FunctionDeclSyntax.self) else { return nil }
        self.decl = decl
    }

    /// The function's name without backticks.
    var name: String { decl.name.identifier?.name ?? decl.name.text }

    var effects: FunctionEffectSpecifiersSyntax? { decl.signature.effectSpecifiers }
    var isAsync: Bool { effects?.asyncSpecifier?.tokenKind == .keyword(.async) }
    var isThrows: Bool { effects?.throwsClause?.throwsSpecifier.tokenKind == .keyword(.throws) }
    var isRethrows: Bool { effects?.throwsClause?.throwsSpecifier.tokenKind == .keyword(.rethrows) }

    /// The type in `throws(E)`, unless it is `any Error`.
    var typedThrow: TypeSyntax? {
        guard let type = effects?.throwsClause?.type else { return nil }
        let text = type.trimmedDescription.filter { !$0.isWhitespace }
        return text == "anyError" || text == "anySwift.Error" ? nil : type
    }

    var isStatic: Bool {
        decl.modifiers.contains { $0.name.tokenKind == .keyword(.static) || $0.name.tokenKind == .keyword(.class) }
    }

    var isMutating: Bool { decl.modifiers.contains { $0.name.tokenKind == .keyword(.mutating) } }

    /// The innermost enclosing declaration when the function is a member of a type.
    var enclosingType: Syntax? {
        guard let first = lexicalContext.first else { return nil }
        if first.is(StructDeclSyntax.self) || first.is(ClassDeclSyntax.self) || first.is(EnumDeclSyntax.self)
            || first.is(ActorDeclSyntax.self) || first.is(ExtensionDeclSyntax.self) || first.is(ProtocolDeclSyntax.self) {
            return first
        }
        return nil
    }

    /// The declared result type, or nil when the function returns nothing (`Void` or `()` included).
    var returnType: TypeSyntax? {
        guard let type = decl.signature.returnClause?.type else { return nil }
        switch type.trimmedDescription.filter({ !$0.isWhitespace }) {
        case "Void", "()", "Swift.Void": return nil
        default: return type.trimmed
        }
    }

    /// The access modifier (`public`, `package`, `internal`, `fileprivate`, `private`; `open` as `public`) to copy onto generated declarations.
    var accessModifier: String? {
        for modifier in decl.modifiers {
            switch modifier.name.tokenKind {
            case .keyword(.open), .keyword(.public): return "public"
            case .keyword(.package): return "package"
            case .keyword(.internal): return "internal"
            case .keyword(.fileprivate): return "fileprivate"
            case .keyword(.private): return "private"
            default: continue
            }
        }
        return nil
    }

    var parameters: FunctionParameterListSyntax { decl.signature.parameterClause.parameters }

    /// The name a parameter is known by inside the body, or nil when it has none (`_`).
    static func internalName(of parameter: FunctionParameterSyntax) -> String? {
        let token = parameter.secondName ?? parameter.firstName
        if token.tokenKind == .wildcard { return nil }
        return token.text
    }

    /// The label of an argument in the attribute, e.g. `name` in `@Step(name: "x")`.
    func argument(_ label: String) -> ExprSyntax? {
        guard case .argumentList(let list)? = attribute.arguments else { return nil }
        return list.first { $0.label?.text == label }?.expression.trimmed
    }

    /// The registered name: the `name:` argument, or the function's name.
    var durableName: ExprSyntax {
        argument("name") ?? ExprSyntax(StringLiteralExprSyntax(content: name))
    }

    // MARK: Checks shared by @Step and @Workflow

    /// Reports a missing body, missing `async`/`throws` and typed throws. Returns false when an error was reported.
    func checkSignature(in context: some MacroExpansionContext) -> Bool {
        var ok = true
        if decl.body == nil {
            error(in: context, "missingBody", "\(macro) requires a function with a body")
            ok = false
        }
        if !isAsync || !isThrows {
            var changes: [String] = []
            if !isAsync && !isThrows && !isRethrows { changes.append("add 'async throws'") }
            else if !isAsync { changes.append("add 'async'") }
            if isRethrows { changes.append("replace 'rethrows' with 'throws'") }
            else if isAsync && !isThrows { changes.append("add 'throws'") }
            let reason = changes.joined(separator: " and ")
            var fixedEffects = effects ?? FunctionEffectSpecifiersSyntax()
            if !isAsync { fixedEffects.asyncSpecifier = .keyword(.async, trailingTrivia: .space) }
            if !isThrows {
                fixedEffects.throwsClause = ThrowsClauseSyntax(throwsSpecifier: .keyword(.throws, trailingTrivia: .space))
            }
            var signature = decl.signature
            signature.parameterClause.rightParen.trailingTrivia = .space
            signature.effectSpecifiers = fixedEffects
            let fixIt = FixIt(
                message: DBOSFixIt(message: reason.prefix(1).uppercased() + reason.dropFirst(), id: "addAsyncThrows"),
                changes: [.replace(oldNode: Syntax(decl.signature), newNode: Syntax(signature))])
            error(in: context, "notAsyncThrows", "\(macro) requires an 'async throws' function: \(reason) in the signature of '\(name)'",
                  fixIts: [fixIt])
            ok = false
        }
        if let typed = typedThrow {
            error(in: context, "typedThrows", """
                \(macro) requires untyped 'throws', not 'throws(\(typed.trimmedDescription))': a recorded error \
                is rethrown as DBOSError when the function is replayed
                """)
            ok = false
        }
        return ok
    }

    /// Reports an error at the attribute.
    func error(in context: some MacroExpansionContext, _ id: String, _ message: String, notes: [Note] = [], fixIts: [FixIt] = []) {
        context.diagnose(Diagnostic(node: attribute, message: DBOSMessage.error(id, message), notes: notes, fixIts: fixIts))
    }

    /// The original body, unchanged (what an expansion returns after reporting an error).
    var originalStatements: [CodeBlockItemSyntax] {
        decl.body.map { Array($0.statements) } ?? []
    }

    /// The original body as a closure `{ <parameters> async throws -> <Output> in ... }`. For a function
    /// returning nothing the statements run in an inner closure (so a bare `return` keeps its meaning)
    /// and the closure returns `NoOutput()`.
    func closure(parameters: String) -> String {
        let statements = decl.body?.statements.trimmedDescription ?? ""
        guard let returnType else {
            return """
                { \(parameters) async throws -> NoOutput in
                    try await { () async throws -> Void in
                \(indent(statements, by: 8))
                    }()
                    return NoOutput()
                }
                """
        }
        return """
            { \(parameters) async throws -> \(returnType.trimmedDescription) in
            \(indent(statements, by: 4))
            }
            """
    }

    /// The output type of the generated closure: the declared result, or `NoOutput`.
    var outputType: String { returnType?.trimmedDescription ?? "NoOutput" }
}
/// Re-indents `text` (the trimmed text of a statement list) by `width` extra spaces, keeping its relative indentation.
func indent(_ text: String, by width: Int) -> String {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    // The first line was trimmed; the others keep their original indentation, whose common prefix is removed.
    let rest = lines.dropFirst().filter { !$0.allSatisfy(\.isWhitespace) }
    let common = rest.map { $0.prefix { $0 == " " || $0 == "\t" }.count }.min() ?? 0
    let pad = String(repeating: " ", count: width)
    var result: [String] = []
    for (index, line) in lines.enumerated() {
        if line.allSatisfy(\.isWhitespace) { result.append(""); continue }
        let body = index == 0 ? Substring(line) : line.dropFirst(min(common, line.prefix { $0 == " " || $0 == "\t" }.count))
        result.append(pad + body)
    }
    return result.joined(separator: "\n")
}
