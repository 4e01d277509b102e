public import DBOS
public import Testing

/// A swift-testing trait that gives each test a launched ``TestRuntime`` and shuts it down
/// afterwards; the test reads it from ``TestRuntime/current``.
///
/// ```swift
/// let refundWorkflows: [any WorkflowDefinition] = [$requestRefund]   // a trait cannot name `$requestRefund`
///
/// @Test(.dbosRuntime { try $0.register(refundWorkflows) })
/// func aRefundExpires() async throws {
///     let runtime = try #require(TestRuntime.current)
///     let handle = try await runtime.dbos.start($requestRefund, "order-17")
///     await runtime.clock.waitForSleepers()
///     await runtime.advance(by: .seconds(86_400))
///     #expect(try await handle.result() == .expired)
/// }
/// ```
///
/// On a suite, every test of the suite gets a runtime of its own.
public struct DBOSRuntimeTrait: TestTrait, SuiteTrait, TestScoping {
    let database: TestRuntime.Database
    let register: @Sendable (DBOS) throws -> Void

    /// Each test of a suite gets its own runtime.
    public var isRecursive: Bool { true }

    /// Runs the test (or each test case) with a launched runtime bound to ``TestRuntime/current``.
    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        // Scopes without a test case (a suite, a test function as a whole) pass through: each
        // test case gets a runtime of its own.
        guard testCase != nil else { return try await function() }
        try await withTestRuntime(database: database, register: register) { runtime in
            try await TestRuntime.$current.withValue(runtime) { try await function() }
        }
    }
}

extension Trait where Self == DBOSRuntimeTrait {
    /// A launched ``TestRuntime`` for the test, on `database` (default a temporary SQLite file),
    /// with what `register` registers; read it from ``TestRuntime/current``.
    public static func dbosRuntime(database: TestRuntime.Database = .temporarySQLite,
                                   register: @escaping @Sendable (DBOS) throws -> Void) -> Self {
        DBOSRuntimeTrait(database: database, register: register)
    }
}

extension TestRuntime {
    /// The runtime of the running test, when it has the ``DBOSRuntimeTrait`` (`.dbosRuntime`).
    @TaskLocal public static var current: TestRuntime?
}
