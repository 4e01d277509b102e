import SwiftDiagnostics
import SwiftSyntaxMacrosGenericTestSupport
import Testing

/// The warnings `@Workflow` gives for non-deterministic code outside steps, and their fix-its.
@Suite struct DeterminismDiagnosticsTests {
    /// Expands `@Workflow func w() async throws -> Int {\n<body>\n}` and checks the warnings and the source after all fix-its.
    /// `expandedBody` is the body as the expansion formats it, when that differs.
    func check(_ body: String, expandedBody: String? = nil, _ diagnostics: [DiagnosticSpec], fixed: String? = nil,
               sourceLocation: SourceLocation = #_sourceLocation) {
        func indent(_ text: String) -> String {
            text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
        }
        let source = "@Workflow func w() async throws -> Int {\n\(indent(body))\n    return 0\n}"
        let expanded = """
            func w() async throws -> Int {
                return try await DBOS.runWorkflow($w)
            }

            /// The durable workflow behind `w`; register it with `dbos.register($w)`.
            let $w = Workflow<Int>("w", codeFingerprint: "\(fingerprint(ofFunctionIn: source))") { () async throws -> Int in
            \(indent(expandedBody ?? body))
                return 0
            }
            """
        let fixedSource = fixed.map { "@Workflow func w() async throws -> Int {\n\(indent($0))\n    return 0\n}" }
        assertExpansion(source, expandedSource: expanded, diagnostics: diagnostics, fixedSource: fixedSource,
                        fileID: "DBOSMacrosTests/DeterminismDiagnosticsTests.swift", filePath: #filePath,
                        line: UInt(sourceLocation.line), column: UInt(sourceLocation.column))
    }

    static let dateMessage = """
        'Date()' in a workflow is not deterministic: it returns a different time when the workflow is recovered; \
        use 'try await DBOS.now()', which is recorded
        """
    static let uuidMessage = """
        'UUID()' in a workflow is not deterministic: it returns a different UUID when the workflow is recovered; \
        use 'try await DBOS.uuid()', which is recorded
        """
    static let sleepMessage = """
        'Task.sleep' in a workflow is not durable: after a restart the whole sleep starts again; use \
        'try await DBOS.sleep(for:)', whose wake-up time is recorded
        """

    @Test func currentTime() {
        check("""
            let started = Date()
            let now = Date.now
            let later = deadline + Date().timeIntervalSince1970
            """, [
                DiagnosticSpec(message: Self.dateMessage, line: 2, column: 19, severity: .warning,
                               fixIts: [FixItSpec(message: "Replace with 'try await DBOS.now()'")]),
                DiagnosticSpec(message: """
                    'Date.now' in a workflow is not deterministic: it returns a different time when the workflow is \
                    recovered; use 'try await DBOS.now()', which is recorded
                    """, line: 3, column: 15, severity: .warning,
                    fixIts: [FixItSpec(message: "Replace with 'try await DBOS.now()'")]),
                DiagnosticSpec(message: Self.dateMessage, line: 4, column: 28, severity: .warning,
                               fixIts: [FixItSpec(message: "Replace with 'try await DBOS.now()'")]),
            ], fixed: """
            let started = try await DBOS.now()
            let now = try await DBOS.now()
            let later = deadline + (try await DBOS.now()).timeIntervalSince1970
            """)
    }

    @Test func uuids() {
        check("""
            let key = UUID().uuidString
            let id = UUID()
            """, [
                DiagnosticSpec(message: Self.uuidMessage, line: 2, column: 15, severity: .warning,
                               fixIts: [FixItSpec(message: "Replace with '(try await DBOS.uuid())'")]),
                DiagnosticSpec(message: Self.uuidMessage, line: 3, column: 14, severity: .warning,
                               fixIts: [FixItSpec(message: "Replace with 'try await DBOS.uuid()'")]),
            ], fixed: """
            let key = (try await DBOS.uuid()).uuidString
            let id = try await DBOS.uuid()
            """)
    }

    @Test func sleeping() {
        check("""
            try await Task.sleep(for: .seconds(5))
            try await Task.sleep(nanoseconds: 1_000)
            try await Task.sleep(until: .now + .seconds(1), clock: .continuous)
            """, [
                DiagnosticSpec(message: Self.sleepMessage, line: 2, column: 15, severity: .warning,
                               fixIts: [FixItSpec(message: "Replace with 'DBOS.sleep(for:)'")]),
                DiagnosticSpec(message: Self.sleepMessage, line: 3, column: 15, severity: .warning,
                               fixIts: [FixItSpec(message: "Replace with 'DBOS.sleep(for:)'")]),
                DiagnosticSpec(message: Self.sleepMessage, line: 4, column: 15, severity: .warning),
            ], fixed: """
            try await DBOS.sleep(for: .seconds(5))
            try await DBOS.sleep(for: .nanoseconds(1_000))
            try await Task.sleep(until: .now + .seconds(1), clock: .continuous)
            """)
    }

    @Test func randomness() {
        check("""
            let die = Int.random(in: 1...6)
            let ratio = Double.random(in: 0..<1)
            let index = Int.random(in: 0..<count)
            let coin = Bool.random()
            let pick: Float = .random(in: 0...1)
            var generator = SystemRandomNumberGenerator()
            """, expandedBody: """
            let die = Int.random(in: 1 ... 6)
            let ratio = Double.random(in: 0 ..< 1)
            let index = Int.random(in: 0 ..< count)
            let coin = Bool.random()
            let pick: Float = .random(in: 0 ... 1)
            var generator = SystemRandomNumberGenerator()
            """, [
                DiagnosticSpec(message: """
                    'Int.random(in:)' in a workflow is not deterministic: it returns a different value when the \
                    workflow is recovered; use 'try await DBOS.random(in:)', which is recorded
                    """, line: 2, column: 15, severity: .warning,
                    fixIts: [FixItSpec(message: "Replace with 'try await DBOS.random(in:)'")]),
                DiagnosticSpec(message: """
                    'Double.random(in:)' in a workflow is not deterministic: it returns a different value when the \
                    workflow is recovered; use 'try await DBOS.random(in:)', which is recorded
                    """, line: 3, column: 17, severity: .warning,
                    fixIts: [FixItSpec(message: "Replace with 'try await DBOS.random(in:)'")]),
                DiagnosticSpec(message: """
                    'Int.random(in:)' in a workflow is not deterministic: it returns a different value when the \
                    workflow is recovered; use 'try await DBOS.random(in:)' or compute it in a step ('DBOS.step'), \
                    so it is recorded
                    """, line: 4, column: 17, severity: .warning),
                DiagnosticSpec(message: """
                    'Bool.random()' in a workflow is not deterministic: it returns a different value when the \
                    workflow is recovered; use 'try await DBOS.random(in:)' or compute it in a step ('DBOS.step'), \
                    so it is recorded
                    """, line: 5, column: 16, severity: .warning),
                DiagnosticSpec(message: """
                    '.random(in:)' in a workflow is not deterministic: it returns a different value when the \
                    workflow is recovered; use 'try await DBOS.random(in:)' or compute it in a step ('DBOS.step'), \
                    so it is recorded
                    """, line: 6, column: 23, severity: .warning),
                DiagnosticSpec(message: """
                    'SystemRandomNumberGenerator' in a workflow is not deterministic: its values change when the \
                    workflow is recovered; use 'try await DBOS.random(in:)' or draw random values in a step \
                    ('DBOS.step'), so they are recorded
                    """, line: 7, column: 21, severity: .warning),
            ], fixed: """
            let die = try await DBOS.random(in: 1...6)
            let ratio = try await DBOS.random(in: 0..<1)
            let index = Int.random(in: 0..<count)
            let coin = Bool.random()
            let pick: Float = .random(in: 0...1)
            var generator = SystemRandomNumberGenerator()
            """)
    }

    @Test func detachedTasks() {
        check("""
            let task = Task.detached { try await crawl() }
            """, expandedBody: """
            let task = Task.detached {
                try await crawl()
            }
            """, [
                DiagnosticSpec(message: """
                    'Task.detached' in a workflow runs outside the workflow: its steps are not checkpointed and it is \
                    not recovered; use 'DBOS.startStep' for concurrent steps, or start a child workflow
                    """, line: 2, column: 16, severity: .warning),
            ])
    }

    @Test func stepsAndDurableCallsAreNotFlagged() {
        check("""
            let stamp = try await DBOS.step("stamp") { Date().timeIntervalSince1970 }
            let ids = try await DBOS.map(items, step: "id") { _ in UUID().uuidString }
            let pending = try DBOS.startStep("roll") { Int.random(in: 1...6) }
            let now = try await DBOS.now()
            let roll = try await DBOS.random(in: 1...6)
            try await DBOS.sleep(for: .seconds(1))
            @Step func jitter() async throws -> Double { Double.random(in: 0..<1) }
            let values = items.map { $0.random }
            """, expandedBody: """
            let stamp = try await DBOS.step("stamp") {
                Date().timeIntervalSince1970
            }
            let ids = try await DBOS.map(items, step: "id") { _ in
                UUID().uuidString
            }
            let pending = try DBOS.startStep("roll") {
                Int.random(in: 1 ... 6)
            }
            let now = try await DBOS.now()
            let roll = try await DBOS.random(in: 1 ... 6)
            try await DBOS.sleep(for: .seconds(1))
            func jitter() async throws -> Double {
                return try await DBOS.step("jitter", retries: .none) { () async throws -> Double in
                    Double.random(in: 0 ..< 1)
                }
            }
            let values = items.map {
                $0.random
            }
            """, [])
    }
}
