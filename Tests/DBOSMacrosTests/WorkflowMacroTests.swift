import SwiftDiagnostics
import SwiftSyntaxMacrosGenericTestSupport
import Testing

@Suite struct WorkflowMacroTests {
    @Test func declaresTheWorkflowAndRunsItFromTheFunction() {
        assertExpansion(
            """
            @Workflow func indexDocument(_ url: String, retries count: Int = 3) async throws -> Int {
                let text = try await fetchPage(url)
                return try await embed(text, count)
            }
            """,
            expandedSource: """
            func indexDocument(_ url: String, retries count: Int = 3) async throws -> Int {
                return try await DBOS.runWorkflow($indexDocument, url, count)
            }

            /// The durable workflow behind `indexDocument`; register it with `dbos.register($indexDocument)`.
            let $indexDocument = Workflow<String, Int, Int>("indexDocument", codeFingerprint: "e572ccc28e81b8e2") { (url: String, count: Int) async throws -> Int in
                let text = try await fetchPage(url)
                return try await embed(text, count)
            }
            """)
    }

    @Test func usesTheGivenNameAndRecoveryAttemptsAndCopiesTheAccessLevel() {
        assertExpansion(
            """
            @Workflow(name: "nightly-report", maxRecoveryAttempts: 10)
            public func nightlyReport() async throws -> Report {
                try await buildReport()
            }
            """,
            expandedSource: """
            public func nightlyReport() async throws -> Report {
                return try await DBOS.runWorkflow($nightlyReport)
            }

            /// The durable workflow behind `nightlyReport`; register it with `dbos.register($nightlyReport)`.
            public let $nightlyReport = Workflow<Report>("nightly-report", maxRecoveryAttempts: 10, codeFingerprint: "9d213a0431219d26") { () async throws -> Report in
                try await buildReport()
            }
            """)
    }

    @Test func aFunctionReturningNothingHasOutputNoOutput() {
        assertExpansion(
            """
            @Workflow func notify(_ user: User, _ message: String) async throws {
                guard user.wantsMail else { return }
                try await sendMail(user, message)
            }
            """,
            expandedSource: """
            func notify(_ user: User, _ message: String) async throws {
                _ = try await DBOS.runWorkflow($notify, user, message)
            }

            /// The durable workflow behind `notify`; register it with `dbos.register($notify)`.
            let $notify = Workflow<User, String, NoOutput>("notify", codeFingerprint: "1e6c05de009ce7db") { (user: User, message: String) async throws -> NoOutput in
                try await { () async throws -> Void in
                    guard user.wantsMail else {
                        return
                    }
                    try await sendMail(user, message)
                }()
                return NoOutput()
            }
            """)
    }

    @Test func staticMethodsDeclareStaticWorkflowsAndWorkflowsListsThem() {
        assertExpansion(
            """
            @Workflows public enum Ingest {
                @Workflow static func indexDocument(_ url: String) async throws -> Int {
                    try await fetchPage(url).count
                }
                @Workflow(name: "ingest.all") private static func indexAll(_ urls: [String]) async throws -> [Int] {
                    var pages: [Int] = []
                    for url in urls { pages.append(try await indexDocument(url)) }
                    return pages
                }
                @Step static func fetchPage(_ url: String) async throws -> String { url }
            }
            """,
            expandedSource: """
            public enum Ingest {
                static func indexDocument(_ url: String) async throws -> Int {
                    return try await DBOS.runWorkflow($indexDocument, url)
                }

                /// The durable workflow behind `indexDocument`; register it with `dbos.register($indexDocument)`.
                static let $indexDocument = Workflow<String, Int>("indexDocument", codeFingerprint: "f0ac9bd7e40e4929") { (url: String) async throws -> Int in
                    try await fetchPage(url).count
                }
                private static func indexAll(_ urls: [String]) async throws -> [Int] {
                    return try await DBOS.runWorkflow($indexAll, urls)
                }

                /// The durable workflow behind `indexAll`; register it with `dbos.register($indexAll)`.
                private static let $indexAll = Workflow<[String], [Int]>("ingest.all", codeFingerprint: "c0f375139b42fa00") { (urls: [String]) async throws -> [Int] in
                    var pages: [Int] = []
                    for url in urls {
                        pages.append(try await indexDocument(url))
                    }
                    return pages
                }
                static func fetchPage(_ url: String) async throws -> String {
                    return try await DBOS.step("fetchPage", retries: .none) { () async throws -> String in
                        url
                    }
                }

                /// The workflows declared here with `@Workflow`, for `dbos.register(_:)`.
                public static var workflows: [any WorkflowDefinition] {
                    [$indexDocument, $indexAll]
                }
            }
            """)
    }

    @Test func classMethodsDeclareStaticWorkflows() {
        assertExpansion(
            """
            final class Jobs {
                @Workflow class func cleanup(_ days: Int) async throws -> Int { days }
            }
            """,
            expandedSource: """
            final class Jobs {
                class func cleanup(_ days: Int) async throws -> Int {
                    return try await DBOS.runWorkflow($cleanup, days)
                }

                /// The durable workflow behind `cleanup`; register it with `dbos.register($cleanup)`.
                static let $cleanup = Workflow<Int, Int>("cleanup", codeFingerprint: "96377c996f123fe3") { (days: Int) async throws -> Int in
                    days
                }
            }
            """)
    }

    @Test func workflowsWarnsWhenItFindsNothing() {
        assertExpansion(
            """
            @Workflows struct Empty {
                @Step static func helper() async throws -> Int { 1 }
            }
            """,
            expandedSource: """
            struct Empty {
                static func helper() async throws -> Int {
                    return try await DBOS.step("helper", retries: .none) { () async throws -> Int in
                        1
                    }
                }

                /// The workflows declared here with `@Workflow`, for `dbos.register(_:)`.
                static var workflows: [any WorkflowDefinition] {
                    []
                }
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: "@Workflows found no static @Workflow methods in this declaration: 'workflows' is empty",
                line: 1, column: 1, severity: .warning)])
    }

    // MARK: Misuse

    @Test func requiresAsyncThrowsAndReportsItOnce() {
        assertExpansion(
            "@Workflow func total(_ values: [Int]) -> Int { values.reduce(0, +) }",
            expandedSource: """
            func total(_ values: [Int]) -> Int {
                values.reduce(0, +)
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: "@Workflow requires an 'async throws' function: add 'async throws' in the signature of 'total'",
                line: 1, column: 1, fixIts: [FixItSpec(message: "Add 'async throws'")])],
            fixedSource: "@Workflow func total(_ values: [Int]) async throws -> Int { values.reduce(0, +) }")
    }

    @Test func rejectsInstanceMethods() {
        assertExpansion(
            """
            struct Agent {
                @Workflow func run(_ task: String) async throws -> String { task }
            }
            """,
            expandedSource: """
            struct Agent {
                func run(_ task: String) async throws -> String {
                    task
                }
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: """
                    @Workflow cannot be applied to an instance method: a workflow is recovered without an instance; \
                    make 'run' static, or a free function
                    """,
                line: 2, column: 5, fixIts: [FixItSpec(message: "Make 'run' static")])],
            fixedSource: """
            struct Agent {
                @Workflow static func run(_ task: String) async throws -> String { task }
            }
            """)
    }

    @Test func rejectsGenericFunctionsAndGenericTypes() {
        assertExpansion(
            "@Workflow func echo<T: Codable>(_ value: T) async throws -> T { value }",
            expandedSource: """
            func echo<T: Codable>(_ value: T) async throws -> T {
                value
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: """
                    @Workflow cannot be applied to a generic function ('echo<T: Codable>'): a workflow's inputs and \
                    output are stored and recovered, so their types must be concrete
                    """,
                line: 1, column: 1)])
        assertExpansion(
            """
            enum Box<T> {
                @Workflow static func open() async throws -> Int { 1 }
            }
            """,
            expandedSource: """
            enum Box<T> {
                static func open() async throws -> Int {
                    1
                }
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: """
                    @Workflow cannot be declared in a generic type ('Box<T>'): the workflow is a static stored \
                    property; declare it in a non-generic type or at file scope
                    """,
                line: 2, column: 5)])
    }

    @Test func rejectsLocalFunctions() {
        assertExpansion(
            """
            func main() async throws {
                @Workflow func inner() async throws -> Int {
                    1
                }
            }
            """,
            expandedSource: """
            func main() async throws {
                func inner() async throws -> Int {
                    1
                }
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: """
                    @Workflow cannot be applied to a local function: declare 'inner' at file scope or as a static \
                    method, so it can be registered and recovered
                    """,
                line: 2, column: 5)])
    }

    @Test func rejectsParametersThatCannotBeStored() {
        assertExpansion(
            """
            @Workflow func bad(
                _: Int,
                callback: @escaping @Sendable (Int) -> Void,
                total: inout Int,
                values: Int...,
                shape: some Shape,
                store: any Store,
                anything: Any,
                pair: (Int, String),
                handlers: [() -> Void]
            ) async throws -> Int { 0 }
            """,
            expandedSource: """
            func bad(
                _: Int,
                callback: @escaping @Sendable (Int) -> Void,
                total: inout Int,
                values: Int...,
                shape: some Shape,
                store: any Store,
                anything: Any,
                pair: (Int, String),
                handlers: [() -> Void]
            ) async throws -> Int {
                0
            }
            """,
            diagnostics: [
                DiagnosticSpec(message: """
                    parameter 1 of @Workflow 'bad' has no name: every parameter is a stored input of the workflow and \
                    is passed on to it; give it a name
                    """, line: 1, column: 1),
                DiagnosticSpec(message: """
                    parameter 'callback' of @Workflow 'bad' has a function type ('@escaping @Sendable (Int) -> Void'): \
                    workflow inputs are stored as JSON and must be Codable
                    """, line: 1, column: 1),
                DiagnosticSpec(message: """
                    parameter 'total' of @Workflow 'bad' is 'inout': workflow inputs are stored as JSON and cannot be \
                    written back; return the new value instead
                    """, line: 1, column: 1),
                DiagnosticSpec(message: """
                    parameter 'values' of @Workflow 'bad' is variadic: take an array ('[Int]') instead
                    """, line: 1, column: 1),
                DiagnosticSpec(message: """
                    parameter 'shape' of @Workflow 'bad' has an opaque type ('some Shape'): workflow inputs are stored \
                    as JSON and must be Codable
                    """, line: 1, column: 1),
                DiagnosticSpec(message: """
                    parameter 'store' of @Workflow 'bad' has an existential type ('any Store'): workflow inputs are \
                    stored as JSON and must be Codable
                    """, line: 1, column: 1),
                DiagnosticSpec(message: """
                    parameter 'anything' of @Workflow 'bad' has an existential type ('Any'): workflow inputs are stored \
                    as JSON and must be Codable
                    """, line: 1, column: 1),
                DiagnosticSpec(message: """
                    parameter 'pair' of @Workflow 'bad' has a tuple type ('(Int, String)'): workflow inputs are stored \
                    as JSON and must be Codable
                    """, line: 1, column: 1),
                DiagnosticSpec(message: """
                    parameter 'handlers' of @Workflow 'bad' has a function type ('[() -> Void]'): workflow inputs are \
                    stored as JSON and must be Codable
                    """, line: 1, column: 1),
            ])
    }

    @Test func rejectsAnOutputThatCannotBeStored() {
        assertExpansion(
            "@Workflow func shape() async throws -> some Shape { Circle() }",
            expandedSource: """
            func shape() async throws -> some Shape {
                Circle()
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: """
                    the result of @Workflow 'shape' has an opaque type ('some Shape'): a workflow's output is stored \
                    as JSON and must be a concrete Codable type
                    """,
                line: 1, column: 1)])
    }

    @Test func rejectsTypedThrows() {
        assertExpansion(
            "@Workflow func run() async throws(RunError) -> Int { 1 }",
            expandedSource: """
            func run() async throws(RunError) -> Int {
                1
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: """
                    @Workflow requires untyped 'throws', not 'throws(RunError)': a recorded error is rethrown as \
                    DBOSError when the function is replayed
                    """,
                line: 1, column: 1)])
    }

    /// The fingerprint in the default application version: comments and formatting do not
    /// change it; a change to the body or the signature does.
    @Test func theCodeFingerprintFollowsTheCodeNotItsFormatting() {
        let original = fingerprint(ofFunctionIn: "func w(_ n: Int) async throws -> Int {\n    try await DBOS.step(\"a\") { n + 1 }\n}")
        let reformatted = fingerprint(ofFunctionIn: """
            func w(_ n: Int) async throws -> Int {
                // add one, durably
                try await DBOS.step("a") {
                    n + 1
                }
            }
            """)
        let changedBody = fingerprint(ofFunctionIn: "func w(_ n: Int) async throws -> Int {\n    try await DBOS.step(\"a\") { n + 2 }\n}")
        let changedSignature = fingerprint(ofFunctionIn: "func w(_ n: Int64) async throws -> Int {\n    try await DBOS.step(\"a\") { n + 1 }\n}")
        #expect(original == reformatted)
        #expect(original != changedBody && original != changedSignature && changedBody != changedSignature)
        #expect(original.count == 16)
    }
}
