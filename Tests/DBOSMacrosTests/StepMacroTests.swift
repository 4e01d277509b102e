import SwiftDiagnostics
import SwiftSyntaxMacrosGenericTestSupport
import Testing

@Suite struct StepMacroTests {
    @Test func wrapsTheBodyInAStepNamedAfterTheFunction() {
        assertExpansion(
            """
            @Step func fetchPage(_ url: String) async throws -> String {
                let page = try await download(url)
                if page.isEmpty {
                    return "(empty)"
                }
                return page
            }
            """,
            expandedSource: """
            func fetchPage(_ url: String) async throws -> String {
                return try await DBOS.step("fetchPage", retries: .none) { () async throws -> String in
                    let page = try await download(url)
                    if page.isEmpty {
                        return "(empty)"
                    }
                    return page
                }
            }
            """)
    }

    @Test func usesTheGivenNameAndRetryPolicy() {
        assertExpansion(
            """
            @Step(name: "embed-text", retries: .exponential(maxAttempts: 5))
            func embed(_ text: String) async throws -> [Double] { try await model.embed(text) }
            """,
            expandedSource: """
            func embed(_ text: String) async throws -> [Double] {
                return try await DBOS.step("embed-text", retries: .exponential(maxAttempts: 5)) { () async throws -> [Double] in
                    try await model.embed(text)
                }
            }
            """)
        assertExpansion(
            """
            @Step(retries: policy)
            func ping() async throws -> Bool { true }
            """,
            expandedSource: """
            func ping() async throws -> Bool {
                return try await DBOS.step("ping", retries: policy) { () async throws -> Bool in
                    true
                }
            }
            """)
        assertExpansion(
            """
            @Step(timeout: .seconds(30))
            func call() async throws -> Int { 1 }
            """,
            expandedSource: """
            func call() async throws -> Int {
                return try await DBOS.step("call", retries: .none, timeout: .seconds(30)) { () async throws -> Int in
                    1
                }
            }
            """)
    }

    @Test func aFunctionReturningNothingRecordsNoOutput() {
        assertExpansion(
            """
            @Step func send(_ message: String) async throws {
                guard !message.isEmpty else {
                    return
                }
                try await mailer.send(message)
            }
            """,
            expandedSource: """
            func send(_ message: String) async throws {
                _ = try await DBOS.step("send", retries: .none) { () async throws -> NoOutput in
                    try await { () async throws -> Void in
                        guard !message.isEmpty else {
                            return
                        }
                        try await mailer.send(message)
                    }()
                    return NoOutput()
                }
            }
            """)
        assertExpansion(
            """
            @Step func flush() async throws -> Void {
                try await buffer.flush()
            }
            """,
            expandedSource: """
            func flush() async throws -> Void {
                _ = try await DBOS.step("flush", retries: .none) { () async throws -> NoOutput in
                    try await { () async throws -> Void in
                        try await buffer.flush()
                    }()
                    return NoOutput()
                }
            }
            """)
    }

    @Test func worksOnStaticAndInstanceMethods() {
        assertExpansion(
            """
            struct Crawler {
                let client: Client
                @Step static func normalize(_ url: String) async throws -> String {
                    url.lowercased()
                }
                @Step func fetch(_ url: String) async throws -> String {
                    try await client.get(url)
                }
            }
            """,
            expandedSource: """
            struct Crawler {
                let client: Client
                static func normalize(_ url: String) async throws -> String {
                    return try await DBOS.step("normalize", retries: .none) { () async throws -> String in
                        url.lowercased()
                    }
                }
                func fetch(_ url: String) async throws -> String {
                    return try await DBOS.step("fetch", retries: .none) { () async throws -> String in
                        try await client.get(url)
                    }
                }
            }
            """)
    }

    // MARK: Misuse

    @Test func requiresAsyncThrows() {
        assertExpansion(
            """
            @Step func a() -> Int {
                1
            }
            """,
            expandedSource: """
            func a() -> Int {
                1
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: "@Step requires an 'async throws' function: add 'async throws' in the signature of 'a'",
                line: 1, column: 1, fixIts: [FixItSpec(message: "Add 'async throws'")])],
            fixedSource: """
            @Step func a() async throws -> Int {
                1
            }
            """)
        assertExpansion(
            "@Step func b() throws {}",
            expandedSource: "func b() throws {}",
            diagnostics: [DiagnosticSpec(
                message: "@Step requires an 'async throws' function: add 'async' in the signature of 'b'",
                line: 1, column: 1, fixIts: [FixItSpec(message: "Add 'async'")])],
            fixedSource: "@Step func b() async throws {}")
        assertExpansion(
            "@Step func c() async -> Int { 1 }",
            expandedSource: """
            func c() async -> Int {
                1
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: "@Step requires an 'async throws' function: add 'throws' in the signature of 'c'",
                line: 1, column: 1, fixIts: [FixItSpec(message: "Add 'throws'")])],
            fixedSource: "@Step func c() async throws -> Int { 1 }")
        assertExpansion(
            "@Step func d(_ f: () throws -> Int) async rethrows -> Int { try f() }",
            expandedSource: """
            func d(_ f: () throws -> Int) async rethrows -> Int {
                try f()
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: "@Step requires an 'async throws' function: replace 'rethrows' with 'throws' in the signature of 'd'",
                line: 1, column: 1, fixIts: [FixItSpec(message: "Replace 'rethrows' with 'throws'")])],
            fixedSource: "@Step func d(_ f: () throws -> Int) async throws -> Int { try f() }")
    }

    @Test func rejectsTypedThrows() {
        assertExpansion(
            "@Step func e() async throws(MyError) -> Int { 1 }",
            expandedSource: """
            func e() async throws(MyError) -> Int {
                1
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: """
                    @Step requires untyped 'throws', not 'throws(MyError)': a recorded error is rethrown as DBOSError \
                    when the function is replayed
                    """,
                line: 1, column: 1)])
    }

    @Test func rejectsMutatingMethodsAndInoutParameters() {
        assertExpansion(
            """
            struct Tally {
                var total = 0
                @Step mutating func add(_ value: Int) async throws -> Int {
                    total += value
                    return total
                }
            }
            """,
            expandedSource: """
            struct Tally {
                var total = 0
                mutating func add(_ value: Int) async throws -> Int {
                    total += value
                    return total
                }
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: """
                    @Step cannot be applied to a mutating method: when the step is replayed only its recorded result \
                    comes back, so changes to 'self' would be lost; return the new value instead
                    """,
                line: 3, column: 5)])
        assertExpansion(
            "@Step func bump(_ counter: inout Int) async throws { counter += 1 }",
            expandedSource: """
            func bump(_ counter: inout Int) async throws {
                counter += 1
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: """
                    parameter 'counter' of a @Step is 'inout': when the step is replayed only its recorded result \
                    comes back, so the change would be lost; return the new value instead
                    """,
                line: 1, column: 1)])
    }

    @Test func rejectsActorIsolatedMethods() {
        assertExpansion(
            """
            actor Account {
                var balance = 0
                @Step func deposit(_ amount: Int) async throws -> Int {
                    balance += amount
                    return balance
                }
            }
            """,
            expandedSource: """
            actor Account {
                var balance = 0
                func deposit(_ amount: Int) async throws -> Int {
                    balance += amount
                    return balance
                }
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: """
                    @Step cannot be applied to an actor-isolated method: the step body runs in a @Sendable closure \
                    outside the actor; make 'deposit' nonisolated, or move the step out of the actor
                    """,
                line: 3, column: 5)])
        assertExpansion(
            """
            actor Client {
                @Step nonisolated func ping() async throws -> Bool {
                    true
                }
            }
            """,
            expandedSource: """
            actor Client {
                nonisolated func ping() async throws -> Bool {
                    return try await DBOS.step("ping", retries: .none) { () async throws -> Bool in
                        true
                    }
                }
            }
            """)
    }

    @Test func rejectsAStepThatStartsAWorkflow() {
        assertExpansion(
            """
            @Step func crawl(_ url: String) async throws -> Int {
                let pages = try await DBOS.runWorkflow($indexDocument, url)
                return pages
            }
            """,
            expandedSource: """
            func crawl(_ url: String) async throws -> Int {
                let pages = try await DBOS.runWorkflow($indexDocument, url)
                return pages
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: """
                    @Step 'crawl' starts a workflow ('DBOS.runWorkflow'): a step cannot contain a workflow; make \
                    'crawl' a @Workflow, or start the workflow from the calling workflow
                    """,
                line: 1, column: 1,
                notes: [NoteSpec(message: "workflow started here", line: 2, column: 27)])])
        assertExpansion(
            """
            @Step func enqueueAll(_ urls: [String]) async throws -> Int {
                for url in urls { _ = try await runtime.start($indexDocument, url) }
                return urls.count
            }
            """,
            expandedSource: """
            func enqueueAll(_ urls: [String]) async throws -> Int {
                for url in urls {
                    _ = try await runtime.start($indexDocument, url)
                }
                return urls.count
            }
            """,
            diagnostics: [DiagnosticSpec(
                message: """
                    @Step 'enqueueAll' starts a workflow ('$indexDocument'): a step cannot contain a workflow; make \
                    'enqueueAll' a @Workflow, or start the workflow from the calling workflow
                    """,
                line: 1, column: 1,
                notes: [NoteSpec(message: "workflow started here", line: 2, column: 37)])])
    }

    @Test func closureShorthandAndPropertyWrapperProjectionsAreNotWorkflows() {
        assertExpansion(
            """
            @Step func tags(_ items: [Item]) async throws -> [String] {
                Context.$requestID.withValue("x") {
                    items.map {
                        $0.tag
                    }
                }
            }
            """,
            expandedSource: """
            func tags(_ items: [Item]) async throws -> [String] {
                return try await DBOS.step("tags", retries: .none) { () async throws -> [String] in
                    Context.$requestID.withValue("x") {
                        items.map {
                            $0.tag
                        }
                    }
                }
            }
            """)
    }

    @Test func requiresABody() {
        assertExpansion(
            """
            protocol Fetcher {
                @Step func fetch() async throws -> String
            }
            """,
            expandedSource: """
            protocol Fetcher {
                func fetch() async throws -> String
            }
            """,
            diagnostics: [DiagnosticSpec(message: "@Step requires a function with a body", line: 2, column: 5)])
    }
}
