import Foundation
import Logging
import Synchronization

/// A DBOS runtime: the registry of workflows, the system database connection and the
/// background work (recovery) of one process. Several runtimes may live in one process.
///
/// ```swift
/// let dbos = try await DBOS(config: .init(name: "ingest"))   // ./ingest.sqlite
/// try dbos.register(indexDocument)
/// try await dbos.launch()                                     // resumes unfinished work
/// let pages = try await dbos.run(indexDocument, url)
/// ```
public final class DBOS: Sendable {
    /// The configuration this runtime was created with.
    public let config: DBOSConfig
    /// This process's executor ID (`DBOS__VMID`, default `local`).
    public let executorID: String
    let systemDatabase: any SystemDatabase
    let logger: Logger
    let running = RunningWorkflows()
    let errors = ErrorRegistry()
    let hub = WakeupHub()
    let schedules = ScheduleRegistry()
    private let signal = ShutdownSignal()
    private let changeFeed = Mutex<Task<Void, Never>?>(nil)
    let backgroundTasks = Mutex<[Task<Void, Never>]>([])
    private let state = Mutex(State())

    private struct State {
        var registry: [String: WorkflowRegistration] = [:]
        var queues: [String: QueueDefinition] = [Queue.internalQueue.name: Queue.internalQueue.definition]
        var launched = false
        var shutDown = false
        var applicationVersion: String?
    }

    /// Opens the system database (creating the SQLite file or PostgreSQL database if missing).
    /// Call ``register(_:)`` and then ``launch()``.
    public init(config: DBOSConfig) async throws {
        self.config = config
        self.executorID = config.resolvedExecutorID
        self.logger = config.logger
        self.systemDatabase = try await SystemDatabaseFactory.open(
            url: config.resolvedDatabaseURL, schema: config.postgresSchema, synchronous: config.sqliteSynchronous,
            maxConnections: config.maxPostgresConnections, logger: config.logger)
    }

    /// `"sqlite"` or `"postgres"`.
    public var backendName: String { systemDatabase.backendName }

    // MARK: Registration

    /// Registers workflows. Must happen before ``launch()`` so recovery can find them.
    public func register(_ workflows: any WorkflowDefinition...) throws {
        try register(workflows)
    }

    /// Registers a list of workflows (for example a macro-generated one).
    public func register(_ workflows: [any WorkflowDefinition]) throws {
        try state.withLock { state in
            guard !state.launched else {
                throw DBOSError.registrationError("register workflows before launch()")
            }
            for workflow in workflows {
                let registration = workflow.registration
                if state.registry[registration.name] != nil {
                    throw DBOSError.registrationError("a workflow named '\(registration.name)' is already registered")
                }
                state.registry[registration.name] = registration
            }
        }
    }

    /// Registers a Swift error type so stored errors of that type are rethrown as it
    /// (rather than as ``DBOSError/workflowFailed(_:)``) to every caller, in any process.
    public func registerError<E: Error & Decodable>(_ type: E.Type) {
        errors.register(type)
    }

    func registration(named name: String) -> WorkflowRegistration? {
        state.withLock { $0.registry[name] }
    }

    func registerQueues(_ queues: [Queue]) throws {
        try state.withLock { state in
            guard !state.launched else { throw DBOSError.registrationError("register queues before launch()") }
            for queue in queues {
                try queue.definition.validate()
                if state.queues[queue.name] != nil {
                    throw DBOSError.registrationError("a queue named '\(queue.name)' is already registered")
                }
                state.queues[queue.name] = queue.definition
            }
        }
    }

    var registeredQueues: [QueueDefinition] { state.withLock { Array($0.queues.values) } }
    var registeredWorkflowNames: [String] { state.withLock { Array($0.registry.keys) } }

    /// The application version recorded on workflows this runtime starts.
    public var applicationVersion: String {
        state.withLock { state in
            if let version = state.applicationVersion { return version }
            return Self.defaultApplicationVersion(config: config, names: Array(state.registry.keys))
        }
    }

    /// `config.applicationVersion`, else `DBOS__APPVERSION`, else a stable hash of the
    /// registered workflow names: rebuilding the same code keeps the same version.
    static func defaultApplicationVersion(config: DBOSConfig, names: [String]) -> String {
        if let version = config.applicationVersion { return version }
        if let env = ProcessInfo.processInfo.environment["DBOS__APPVERSION"], !env.isEmpty { return env }
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in names.sorted().joined(separator: "\n").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100000001b3
        }
        return String(hash, radix: 16)
    }

    // MARK: Lifecycle

    /// Migrates the system database if needed and resumes this executor's unfinished workflows.
    public func launch() async throws {
        try state.withLock { state in
            guard !state.shutDown else { throw DBOSError.notLaunched(operation: "launch after shutdown") }
            guard !state.launched else { throw DBOSError.registrationError("launch() was already called") }
        }
        _ = try await systemDatabase.migrate()
        state.withLock { state in
            state.applicationVersion = Self.defaultApplicationVersion(config: config, names: Array(state.registry.keys))
            state.launched = true
        }
        Self.launchedRuntimes.add(self)
        startChangeFeed()
        logger.info("DBOS launched", metadata: [
            "executorID": "\(executorID)", "applicationVersion": "\(applicationVersion)", "backend": "\(backendName)",
        ])
        try await startLeaseKeeper()
        let report = try await recoverPendingWorkflows()
        for failure in report.failures {
            logger.error("could not recover workflow", metadata: ["workflowID": "\(failure.workflowID)", "error": "\(failure.error)"])
        }
        try await startQueues()
        try await startSchedules()
    }

    /// Creates or upgrades the system database schema without launching.
    public func migrate() async throws -> MigrationReport {
        try await systemDatabase.migrate()
    }

    /// Stops the runtime: no new operations start, running steps finish, waits for running
    /// workflows to stop (at most `timeout`) and closes the database. Unfinished workflows
    /// stay PENDING and are recovered at the next launch.
    public func shutdown(timeout: Duration = .seconds(30)) async {
        let first = state.withLock { state in
            defer { state.shutDown = true }
            return !state.shutDown
        }
        guard first else { return }
        Self.launchedRuntimes.remove(self)
        signal.trigger()
        hub.signalAll()
        let tasks = running.tasks
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for task in tasks { await task.value } }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        for task in backgroundTasks.withLock({ $0 }) {
            task.cancel()
            await task.value
        }
        if let feed = changeFeed.withLock({ $0 }) {
            feed.cancel()
            await feed.value
        }
        await systemDatabase.close()
        logger.info("DBOS shut down")
    }

    var isShuttingDown: Bool { signal.isTriggered }

    /// Forwards database change signals (NOTIFY, SQLite commits) to the wake-up hub.
    private func startChangeFeed() {
        let hub = self.hub
        let database = systemDatabase
        let task = Task {
            await database.runChangeFeed { channel, payload in
                if channel == WakeupHub.Channel.queues.rawValue {
                    hub.signal(WakeupHub.queueKey(payload))
                } else if let channel, let known = WakeupHub.Channel(rawValue: channel) {
                    hub.signal(WakeupHub.key(known, payload))
                } else {
                    hub.signalAll()
                    hub.signalQueues()
                }
            }
        }
        changeFeed.withLock { $0 = task }
    }

    func requireLaunched(_ operation: String) throws {
        try state.withLock { state in
            guard state.launched, !state.shutDown else { throw DBOSError.notLaunched(operation: operation) }
        }
    }

    /// Sleeps, but wakes with ``DBOSError/shuttingDown`` when the runtime shuts down.
    func pause(for duration: Duration) async throws {
        guard duration > .zero else { return }
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await Task.sleep(for: duration); return true }
            group.addTask { [signal] in await signal.wait(); return false }
            let slept = try await group.next() ?? false
            group.cancelAll()
            if !slept { throw DBOSError.shuttingDown }
        }
    }
}

/// What ``DBOS/recoverPendingWorkflows()`` did.
public struct RecoveryReport: Sendable {
    /// Workflows resumed in this process.
    public var recovered: [String] = []
    /// Workflows that could not be resumed, with the reason; their rows are left as they were
    /// (except those moved to MAX_RECOVERY_ATTEMPTS_EXCEEDED).
    public var failures: [(workflowID: String, error: DBOSError)] = []
}
