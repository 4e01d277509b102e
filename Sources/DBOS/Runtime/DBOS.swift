import Foundation
import Logging
import Synchronization

/// A DBOS runtime: the registry of workflows, the system database and the work of one process
/// (running workflows, queue dispatchers, schedules, recovery). Several runtimes may live in one
/// process.
///
/// Creating a runtime does no I/O. Run it as a swift-service-lifecycle `Service` next to your
/// server, or launch and shut it down by hand in a script:
///
/// ```swift
/// let dbos = try DBOS(config: .init(name: "ingest"))          // ./ingest.sqlite
/// try dbos.register(indexDocument)
///
/// // In a server: one service among others; SIGTERM drains it.
/// let group = ServiceGroup(services: [dbos, server], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
///
/// // In a script:
/// try await dbos.launch()                                     // resumes unfinished work
/// let pages = try await dbos.run(indexDocument, url)
/// await dbos.shutdown()
/// ```
public final class DBOS: WorkflowManaging {
    /// The configuration this runtime was created with.
    public let config: DBOSConfig
    /// This process's executor ID (`DBOS__VMID`, default `local`).
    public let executorID: String
    let systemDatabase: any SystemDatabase
    let logger: Logger
    /// The workflow operations shared with ``DBOSClient``.
    let service: WorkflowService
    /// Every loop and workflow execution of this runtime, as children of one task group.
    let tasks = RuntimeTasks()
    let schedules = ScheduleRegistry()
    let lifecycle = Lifecycle()
    let handedBack = HandedBack()
    let testingHooks = TestingHooks()
    /// Where counters, timers and gauges go (``DBOSConfig/metricsFactory``, else the bootstrapped backend).
    let metrics: RuntimeMetrics
    private let state = Mutex(State())

    var running: RunningWorkflows { service.running }
    /// The time of this runtime's workflows (``DBOSConfig/clock``).
    var clock: any DBOSClock { config.clock }
    var hub: WakeupHub { service.hub }
    var errors: ErrorRegistry { service.errors }

    private struct State {
        var registry: [String: WorkflowRegistration] = [:]
        var queues: [String: QueueDefinition] = [QueueDefinition.internalQueueName: Queue.internalQueue.definition]
        var applicationVersion: String?
    }

    /// Prepares a runtime: checks the configuration and the database URL, but connects to
    /// nothing until ``run()`` or ``launch()``. Register workflows, queues and schedules next.
    ///
    /// - Throws: ``DBOSError/Code/invalidDatabaseURL`` for a URL that cannot be parsed.
    public init(config: DBOSConfig) throws {
        if let retention = config.retention {
            guard retention.maxAge != nil || retention.keepLatest != nil else {
                throw DBOSError.invalidArgument("a retention policy needs maxAge, keepLatest or both")
            }
            guard (retention.keepLatest ?? 0) >= 0, retention.interval > .zero, (retention.maxAge ?? .zero) >= .zero else {
                throw DBOSError.invalidArgument("a retention policy's keepLatest, maxAge and interval must not be negative (interval above zero)")
            }
        }
        self.config = config
        self.executorID = config.resolvedExecutorID
        self.logger = config.logger
        self.metrics = RuntimeMetrics(configured: config.metricsFactory)
        self.systemDatabase = try SQLSystemDatabase(
            url: DatabaseURL(parsing: config.resolvedDatabaseURL), schema: config.postgresSchema,
            synchronous: config.sqliteSynchronous == .full ? .full : .normal, sqliteBusyTimeout: config.sqliteBusyTimeout,
            maxConnections: config.maxPostgresConnections,
            logger: config.logger, clock: config.clock, metrics: metrics)
        self.service = WorkflowService(systemDatabase: systemDatabase, waitsAreSwept: true)
    }

    /// `"sqlite"` or `"postgres"`.
    public var backendName: String { systemDatabase.backendName }

    /// See ``WorkflowManaging``.
    public var workflowAccess: WorkflowAccess { WorkflowAccess(service: service) }

    // MARK: Registration

    /// Registers workflows. Must happen before the runtime starts, so recovery can find them.
    public func register(_ workflows: any WorkflowDefinition...) throws {
        try register(workflows)
    }

    /// Registers a list of workflows (for example a macro-generated one).
    public func register(_ workflows: [any WorkflowDefinition]) throws {
        try lifecycle.requireNotStarted("register workflows")
        try state.withLock { state in
            for workflow in workflows {
                let registration = workflow.registration
                if state.registry[registration.name] != nil {
                    throw DBOSError.registrationError("a workflow named '\(registration.name)' is already registered")
                }
                state.registry[registration.name] = registration
            }
        }
    }

    func registration(named name: String) -> WorkflowRegistration? {
        state.withLock { $0.registry[name] }
    }

    func registerQueues(_ queues: [Queue]) throws {
        try lifecycle.requireNotStarted("register queues")
        try state.withLock { state in
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
            return Self.defaultApplicationVersion(config: config, registrations: Array(state.registry.values))
        }
    }

    /// Fixes the application version once registration is closed.
    func settleApplicationVersion() {
        let version = state.withLock { state in
            let version = Self.defaultApplicationVersion(config: config, registrations: Array(state.registry.values))
            state.applicationVersion = version
            return version
        }
        service.setForkVersion(version)
    }

    /// `config.applicationVersion`, else `DBOS__APPVERSION`, else a stable hash of the
    /// registered workflows: their names, and for `@Workflow` ones the fingerprint of their code
    /// (as DBOS Python hashes the workflows' source). Rebuilding the same code keeps the same
    /// version; changing an annotated workflow's code changes it.
    static func defaultApplicationVersion(config: DBOSConfig, registrations: [WorkflowRegistration]) -> String {
        if let version = config.applicationVersion { return version }
        if let env = ProcessInfo.processInfo.environment["DBOS__APPVERSION"], !env.isEmpty { return env }
        let entries = registrations.map { registration in
            registration.codeFingerprint.map { "\(registration.name)=\($0)" } ?? registration.name
        }
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in entries.sorted().joined(separator: "\n").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100000001b3
        }
        return String(hash, radix: 16)
    }

    var isShuttingDown: Bool { service.signal.isTriggered }

    /// Throws unless the runtime has started and is not stopping.
    func requireLaunched(_ operation: String) throws {
        // A replay check runs on a runtime that is never launched; its child starts and
        // enqueues are served from the history by the operation primitive.
        if let context = WorkflowContext.current, context.runtime === self, context.mode == .replayOnly { return }
        try lifecycle.requireRunning(operation)
    }
}

/// What ``DBOS/recoverPendingWorkflows()`` did.
public struct RecoveryReport: Sendable {
    /// Workflows resumed in this process.
    public var recovered: [String] = []
    /// Workflows that could not be resumed, with the reason; their rows are left as they were
    /// (except those moved to MAX_RECOVERY_ATTEMPTS_EXCEEDED).
    public var failures: [(workflowID: String, error: DBOSError)] = []
    /// Set when this executor's unfinished workflows could not even be listed at launch (a
    /// permanent database error): the launch still succeeds, and the runtime retries the
    /// whole recovery in the background, with backoff, until it succeeds.
    public var deferred: DBOSError?
}
