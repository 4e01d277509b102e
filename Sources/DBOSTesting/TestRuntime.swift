@_spi(DBOSTesting) public import DBOS
public import Foundation
import Synchronization

/// A DBOS runtime for a test: its own empty system database, a ``TestClock``, and the means to
/// crash it at a chosen step and start it again on the same database.
///
/// ```swift
/// @Test func approvalExpiresAfterADay() async throws {
///     try await withTestRuntime(register: { try $0.register($awaitApproval) }) { runtime in
///         let handle = try await runtime.dbos.start($awaitApproval, "order-7")
///         await runtime.clock.waitForSleepers()
///         await runtime.advance(by: .hours(24))
///         #expect(try await handle.result() == .expired)
///     }
/// }
/// ```
///
/// `register` runs for every runtime this object creates (the first, and each one after a
/// crash), so it registers workflows, queues, schedules and error types as the application does.
public final class TestRuntime: Sendable {
    /// Where a test runtime keeps its system database.
    public enum Database: Sendable {
        /// A new SQLite file in a temporary folder, removed by ``TestRuntime/shutdown()``.
        case temporarySQLite
        /// A new database on the PostgreSQL server at this URL (`postgresql://user@host:port`):
        /// the runtime creates it under a unique name. It is not dropped afterwards: point tests
        /// at a throwaway server.
        case postgres(serverURL: String)
        /// This URL as given (a file path, `sqlite://...` or `postgresql://...`), for example to
        /// check workflows recorded by an earlier run.
        case url(String)
    }

    /// The clock of every runtime this object creates.
    public let clock: TestClock
    /// The system database's URL.
    public let databaseURL: String
    private let folder: URL?
    private let config: DBOSConfig
    private let register: @Sendable (DBOS) throws -> Void
    private let state: Mutex<State>

    private struct State {
        var dbos: DBOS
        var crash: CrashPoint?
        var crashed = false
        var crashWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private struct CrashPoint {
        let functionID: Int
        let workflowID: String?
    }

    /// Prepares a runtime (not launched: see ``launch()``).
    ///
    /// - Parameters:
    ///   - database: where the system database lives; default a temporary SQLite file.
    ///   - clock: the runtime's clock; default a ``TestClock`` standing at the current time.
    ///   - configure: changes to the runtime's ``DBOS/DBOSConfig`` (its clock and database URL
    ///     are set by this object).
    ///   - register: registers the application's workflows, queues and schedules.
    public init(database: Database = .temporarySQLite, clock: TestClock = TestClock(),
                configure: (inout DBOSConfig) -> Void = { _ in },
                register: @escaping @Sendable (DBOS) throws -> Void) throws {
        let unique = UUID().uuidString.prefix(8).lowercased()
        switch database {
        case .temporarySQLite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dbos-test-\(unique)", isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            self.folder = folder
            databaseURL = "sqlite://" + folder.appendingPathComponent("system.sqlite").path
        case .postgres(let serverURL):
            guard var components = URLComponents(string: serverURL), components.scheme?.hasPrefix("postgres") == true else {
                throw InvalidServerURL(url: serverURL)
            }
            components.path = "/dbos_test_\(unique)"
            folder = nil
            databaseURL = components.string ?? serverURL
        case .url(let url):
            folder = nil
            databaseURL = url
        }
        var config = DBOSConfig(name: "test", systemDatabaseURL: databaseURL, shutdownTimeout: .seconds(5))
        configure(&config)
        config.systemDatabaseURL = databaseURL
        config.clock = clock
        self.clock = clock
        self.config = config
        self.register = register
        state = Mutex(State(dbos: try DBOS(config: config)))
        try register(dbos)
        observe(dbos)
    }

    /// The current runtime: the first one, or the one ``restart()`` started after a crash.
    /// Take handles from it again after a restart: the old runtime's connections are closed.
    /// Between a crash and the restart, read the database with a `DBOSClient` on
    /// ``databaseURL``.
    public var dbos: DBOS { state.withLock { $0.dbos } }

    /// Launches the runtime (migrates its database, recovers unfinished workflows).
    @discardableResult
    public func launch() async throws -> RecoveryReport {
        try await dbos.launch()
    }

    // MARK: Time

    /// Moves the clock forward by `duration`: sleeps, timeouts, delays and cron ticks it reaches
    /// end now, and the runtime checks delayed and timed-out workflows at once.
    public func advance(by duration: Duration) async {
        clock.advance(by: duration)
        dbos.clockAdvanced()
    }

    /// Moves the clock forward to `date` (see ``advance(by:)``).
    public func advance(to date: Date) async {
        clock.advance(to: date)
        dbos.clockAdvanced()
    }

    // MARK: Crashing

    /// Arms a crash: right after operation `functionID` (1 for a workflow's first step) of
    /// `workflowID` — or of any workflow, when nil — is recorded, the runtime stops as a killed
    /// process would. The workflow records nothing more, other executions stop where they are,
    /// and unfinished workflows stay PENDING. Await ``waitForCrash()``, then ``restart()``.
    public func crash(afterStep functionID: Int, of workflowID: String? = nil) {
        state.withLock { $0.crash = CrashPoint(functionID: functionID, workflowID: workflowID) }
    }

    /// Returns once the armed crash has happened (at once if it has).
    public func waitForCrash() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let crashed = state.withLock { state -> Bool in
                if state.crashed { return true }
                state.crashWaiters.append(continuation)
                return false
            }
            if crashed { continuation.resume() }
        }
    }

    /// Stops the runtime now, as a killed process would (no drain: executions stop where they
    /// are, unfinished workflows stay PENDING).
    public func crash() async {
        let dbos = dbos
        await dbos.halt()
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.crashed = true
            state.crash = nil
            defer { state.crashWaiters = [] }
            return state.crashWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Starts a new runtime on the same database, with the same executor ID, application
    /// version and clock, as a restarted process would; it recovers the unfinished workflows.
    /// Stops the current runtime first if it still runs (as ``crash()``).
    @discardableResult
    public func restart() async throws -> RecoveryReport {
        await dbos.halt()
        let next = try DBOS(config: config)
        try register(next)
        observe(next)
        state.withLock { state in
            state.dbos = next
            state.crashed = false
        }
        return try await next.launch()
    }

    /// Shuts the runtime down cleanly and removes its temporary SQLite folder, if any.
    public func shutdown() async {
        await dbos.shutdown()
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    private func observe(_ dbos: DBOS) {
        dbos.observeOperations { [weak self] event in
            guard let self, self.takeCrash(at: event) else { return }
            // The runtime stops from another task (stopping cancels this one); this workflow
            // records nothing after the operation that was just recorded.
            Task { await self.crash() }
            try await Task.sleep(for: .seconds(86_400 * 365))
        }
    }

    private func takeCrash(at event: OperationEvent) -> Bool {
        state.withLock { state in
            guard let crash = state.crash, crash.functionID == event.functionID,
                  crash.workflowID == nil || crash.workflowID == event.workflowID else { return false }
            state.crash = nil
            return true
        }
    }
}

/// Runs `body` with a launched ``TestRuntime`` and always shuts it down (removing its temporary
/// database). See ``TestRuntime/init(database:clock:configure:register:)`` for the parameters.
@discardableResult
public func withTestRuntime<T>(database: TestRuntime.Database = .temporarySQLite, clock: TestClock = TestClock(),
                               configure: (inout DBOSConfig) -> Void = { _ in },
                               register: @escaping @Sendable (DBOS) throws -> Void,
                               _ body: (TestRuntime) async throws -> T) async throws -> T {
    let runtime = try TestRuntime(database: database, clock: clock, configure: configure, register: register)
    do {
        try await runtime.launch()
        let result = try await body(runtime)
        await runtime.shutdown()
        return result
    } catch {
        await runtime.shutdown()
        throw error
    }
}

/// ``TestRuntime/Database/postgres(serverURL:)`` was given something other than a
/// `postgresql://` URL.
public struct InvalidServerURL: Error, CustomStringConvertible {
    /// The URL as given.
    public let url: String

    /// Names the URL and the form expected.
    public var description: String { "'\(url)' is not a PostgreSQL server URL (postgresql://user@host:port)" }
}
