import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxBuilder
import SwiftSyntaxMacros

/// Warns about non-deterministic calls in the code of a workflow (outside its steps), with fix-its
/// that point to the recorded equivalents on `DBOS`.
///
/// Closures passed to `DBOS.step`, `DBOS.startStep` and `DBOS.map`, and nested `@Step` functions,
/// are step code and are not checked.
final class DeterminismChecker: SyntaxVisitor {
    private var diagnostics: [Diagnostic] = []

    init() { super.init(viewMode: .sourceAccurate) }

    /// Checks `body` and returns the warnings.
    static func check(_ body: some SyntaxProtocol) -> [Diagnostic] {
        let checker = DeterminismChecker()
        checker.walk(body)
        return checker.diagnostics
    }

    override func visit(_ node: FunctionDeclSyntax) -> SyntaxVisitorContinueKind {
        let isStep = node.attributes.contains {
            guard case .attribute(let attribute) = $0 else { return false }
            return ["Step", "DBOS.Step"].contains(attribute.attributeName.trimmedDescription)
        }
        return isStep ? .skipChildren : .visitChildren
    }

    override func visit(_ node: FunctionCallExprSyntax) -> SyntaxVisitorContinueKind {
        let callee = node.calledExpression
        if let access = callee.as(MemberAccessExprSyntax.self) {
            let base = access.base.map { $0.trimmedDescription } ?? ""
            let member = access.declName.baseName.text
            if base == "DBOS", ["step", "startStep", "map"].contains(member) { return .skipChildren }
            switch (base, member) {
            case ("Task", "sleep"):
                taskSleep(node)
            case ("Task", "detached"):
                warn(Syntax(access), "Task.detached", """
                    'Task.detached' in a workflow runs outside the workflow: its steps are not checkpointed and \
                    it is not recovered; use 'DBOS.startStep' for concurrent steps, or start a child workflow
                    """)
            case (let base, "random") where base != "DBOS":
                random(node, base: base)
            default:
                break
            }
            return .visitChildren
        }
        guard let name = callee.as(DeclReferenceExprSyntax.self)?.baseName.text ?? qualifiedFoundationName(callee),
              node.arguments.isEmpty, node.trailingClosure == nil else { return .visitChildren }
        switch name {
        case "Date":
            warn(Syntax(node), "Date()", """
                'Date()' in a workflow is not deterministic: it returns a different time when the workflow is \
                recovered; use 'try await DBOS.now()', which is recorded
                """, fixIt: ("Replace with 'try await DBOS.now()'", replacement(for: ExprSyntax(node), "try await DBOS.now()")))
        case "UUID":
            uuid(node)
        default:
            break
        }
        return .visitChildren
    }

    override func visit(_ node: MemberAccessExprSyntax) -> SyntaxVisitorContinueKind {
        let base = node.base?.trimmedDescription
        if (base == "Date" || base == "Foundation.Date"), node.declName.baseName.text == "now" {
            warn(Syntax(node), "Date.now", """
                'Date.now' in a workflow is not deterministic: it returns a different time when the workflow is \
                recovered; use 'try await DBOS.now()', which is recorded
                """, fixIt: ("Replace with 'try await DBOS.now()'", replacement(for: ExprSyntax(node), "try await DBOS.now()")))
        }
        return .visitChildren
    }

    override func visit(_ node: DeclReferenceExprSyntax) -> SyntaxVisitorContinueKind {
        if node.baseName.text == "SystemRandomNumberGenerator" { systemRandom(Syntax(node)) }
        return .visitChildren
    }

    override func visit(_ node: IdentifierTypeSyntax) -> SyntaxVisitorContinueKind {
        if node.name.text == "SystemRandomNumberGenerator" { systemRandom(Syntax(node)) }
        return .visitChildren
    }

    // MARK: Individual checks

    private func qualifiedFoundationName(_ callee: ExprSyntax) -> String? {
        guard let access = callee.as(MemberAccessExprSyntax.self), access.base?.trimmedDescription == "Foundation" else { return nil }
        return access.declName.baseName.text
    }

    private func uuid(_ node: FunctionCallExprSyntax) {
        let message = """
            'UUID()' in a workflow is not deterministic: it returns a different UUID when the workflow is \
            recovered; use 'try await DBOS.uuid()', which is recorded
            """
        if node.parent?.is(MemberAccessExprSyntax.self) == true {
            warn(Syntax(node), "UUID()", message, fixIt: (
                "Replace with '(try await DBOS.uuid())'",
                replacement(for: ExprSyntax(node), "(try await DBOS.uuid())", parenthesize: false)))
        } else {
            warn(Syntax(node), "UUID()", message, fixIt: (
                "Replace with 'try await DBOS.uuid()'", replacement(for: ExprSyntax(node), "try await DBOS.uuid()")))
        }
    }

    private func taskSleep(_ node: FunctionCallExprSyntax) {
        let message = """
            'Task.sleep' in a workflow is not durable: after a restart the whole sleep starts again; use \
            'try await DBOS.sleep(for:)', whose wake-up time is recorded
            """
        let arguments = Array(node.arguments)
        var fixIt: (String, FixIt.Change)?
        if arguments.count == 1, let label = arguments[0].label?.text {
            let value = arguments[0].expression.trimmedDescription
            let duration: String? = switch label {
            case "for": value
            case "nanoseconds": ".nanoseconds(\(value))"
            default: nil
            }
            if let duration {
                let call: ExprSyntax = "DBOS.sleep(for: \(raw: duration))"
                fixIt = ("Replace with 'DBOS.sleep(for:)'", .replace(
                    oldNode: Syntax(node), newNode: Syntax(call.with(\.leadingTrivia, node.leadingTrivia).with(\.trailingTrivia, node.trailingTrivia))))
            }
        }
        warn(Syntax(node), "Task.sleep", message, fixIt: fixIt)
    }

    private func random(_ node: FunctionCallExprSyntax, base: String) {
        let arguments = Array(node.arguments)
        let range = arguments.count == 1 && arguments[0].label?.text == "in" ? arguments[0].expression : nil
        let shown = "\(base).random(\(arguments.map { "\($0.label?.text ?? "_"):" }.joined()))"
        // A type's `random` (`Int.random(in:)`, `Bool.random()`) or any `.random(in:)`.
        guard base.first?.isUppercase == true || arguments.first?.label?.text == "in" else { return }
        // DBOS.random(in:) takes a ClosedRange<Int> or a Range<Double>.
        let supported: Bool = {
            guard let range, let op = rangeOperator(range) else { return false }
            return (base == "Int" && op == "...") || (base == "Double" && op == "..<")
        }()
        if supported, let range {
            warn(Syntax(node), "random", """
                '\(shown)' in a workflow is not deterministic: it returns a different value when the workflow is \
                recovered; use 'try await DBOS.random(in:)', which is recorded
                """, fixIt: ("Replace with 'try await DBOS.random(in:)'",
                             replacement(for: ExprSyntax(node), "try await DBOS.random(in: \(range.trimmedDescription))")))
        } else {
            warn(Syntax(node), "random", """
                '\(shown)' in a workflow is not deterministic: it returns a different value when the workflow is \
                recovered; use 'try await DBOS.random(in:)' or compute it in a step ('DBOS.step'), so it is recorded
                """)
        }
    }

    private func systemRandom(_ node: Syntax) {
        warn(node, "SystemRandomNumberGenerator", """
            'SystemRandomNumberGenerator' in a workflow is not deterministic: its values change when the workflow \
            is recovered; use 'try await DBOS.random(in:)' or draw random values in a step ('DBOS.step'), so they are recorded
            """)
    }

    /// `...` or `..<` when `range` is written as `a...b` / `a..<b`.
    private func rangeOperator(_ range: ExprSyntax) -> String? {
        if let infix = range.as(InfixOperatorExprSyntax.self) {
            return infix.operator.as(BinaryOperatorExprSyntax.self)?.operator.text
        }
        if let sequence = range.as(SequenceExprSyntax.self), sequence.elements.count == 3 {
            return sequence.elements.dropFirst().first?.as(BinaryOperatorExprSyntax.self)?.operator.text
        }
        return nil
    }

    // MARK: Reporting

    /// Replaces `node` with `text`, in parentheses where `try` would otherwise sit to the right of an operator
    /// (`deadline + Date().timeIntervalSince1970`).
    private func replacement(for node: ExprSyntax, _ text: String, parenthesize: Bool = true) -> FixIt.Change {
        var text = text
        if parenthesize && Self.isRightOfOperator(node) { text = "(\(text))" }
        let expression = ExprSyntax("\(raw: text)")
            .with(\.leadingTrivia, node.leadingTrivia).with(\.trailingTrivia, node.trailingTrivia)
        return .replace(oldNode: Syntax(node), newNode: Syntax(expression))
    }

    /// Whether the postfix expression that starts with `node` is an operand to the right of a binary operator.
    private static func isRightOfOperator(_ node: ExprSyntax) -> Bool {
        var outer = Syntax(node)
        while let parent = outer.parent {
            if let access = parent.as(MemberAccessExprSyntax.self), access.base?.id == outer.id { outer = parent; continue }
            if let call = parent.as(FunctionCallExprSyntax.self), call.calledExpression.id == outer.id { outer = parent; continue }
            if let element = parent.as(SubscriptCallExprSyntax.self), element.calledExpression.id == outer.id { outer = parent; continue }
            if parent.is(OptionalChainingExprSyntax.self) || parent.is(ForceUnwrapExprSyntax.self)
                || parent.is(PostfixOperatorExprSyntax.self) { outer = parent; continue }
            break
        }
        if let list = outer.parent?.as(ExprListSyntax.self) {
            guard let index = list.firstIndex(where: { $0.id == outer.id }), index != list.startIndex else { return false }
            return !list[list.index(before: index)].is(AssignmentExprSyntax.self)
        }
        if let infix = outer.parent?.as(InfixOperatorExprSyntax.self) {
            return infix.rightOperand.id == outer.id && !infix.operator.is(AssignmentExprSyntax.self)
        }
        return false
    }

    private func warn(_ node: Syntax, _ id: String, _ message: String, fixIt: (String, FixIt.Change)? = nil) {
        let fixIts = fixIt.map { [FixIt(message: DBOSFixIt(message: $0.0, id: "use-dbos-\(id)"), changes: [$0.1])] } ?? []
        diagnostics.append(Diagnostic(node: node, message: DBOSMessage.warning("nondeterministic-\(id)", message), fixIts: fixIts))
    }
}
