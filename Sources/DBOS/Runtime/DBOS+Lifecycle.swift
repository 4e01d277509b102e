import Foundation
import Logging
public import ServiceLifecycle
import Tracing

extension DBOS: Service {
    /// Runs the runtime as a swift-service-lifecycle `Service` until graceful shutdown.
    ///
    /// Hosts the runtime's task group in the calling task: the database's connections, the
    /// queue dispatchers, schedules, lease keeper and change feed; workflow executions are
    /// tracked by the runtime, which drains and then cancels them.
    /// Startup migrates the system database and resumes this executor's unfinished workflows.
    /// On graceful shutdown (e.g. SIGTERM through a `ServiceGroup`) no new operation starts,
    /// running steps finish and record their outcome, and workflows stop at their next operation;
    /// after ``DBOSConfig/shutdownTimeout`` what still runs is cancelled. Unfinished workflows
    /// stay PENDING and are recovered at the next start. Cancelling the task stops at once.
    ///
    /// - Throws: the startup error (database unreachable, unsupported schema, ...).
    public func run() async throws {
        try lifecycle.beginStarting()
        await withGracefulShutdownHandler {
            await self.host()
        } onGracefulShutdown: {
            self.stop(timeout: nil)
        }
        if case .failure(let error)? = await lifecycle.startup.value { throw error }
    }

    /// Starts the runtime from a script: migrates the system database, resumes unfinished
    /// workflows and starts the runtime's background work, then returns. Pair with
    /// ``shutdown(timeout:)``. (A server runs the runtime as a `Service` instead: ``run()``.)
    ///
    /// - Returns: what recovery found: the workflows resumed here and those it could not resume.
    @discardableResult
    public func launch() async throws -> RecoveryReport {
        try lifecycle.beginStarting()
        // The runtime's work runs in a task of its own; a tracer bound to the caller's task
        // (`withTracer`) goes along, so recovered and dequeued workflows trace there too.
        let tracer = InstrumentationSystem.tracer
        let host = HostTask {
            if tracer is NoOpTracer { await self.host() } else { await withTracer(tracer) { await self.host() } }
        }
        do {
            return try await waitUntilLaunched()
        } catch {
            await host.wait()
            throw error
        }
    }

    /// Waits until the runtime has started — the system database migrated and this executor's
    /// unfinished workflows resumed — and returns what recovery did; throws the startup error.
    ///
    /// For a runtime run as a `Service`, await it before serving requests, for example in
    /// Hummingbird's `beforeServerStarts`.
    public func waitUntilLaunched() async throws -> RecoveryReport {
        switch await lifecycle.startup.value {
        case .success(let report)?: return report
        case .failure(let error)?: throw error
        case nil: throw DBOSError.shuttingDown
        }
    }

    /// Stops the runtime: no new operations start, running steps finish, workflows stop at their
    /// next operation (at most `timeout`, default ``DBOSConfig/shutdownTimeout``, then they are
    /// cancelled), and the database is closed. Unfinished workflows stay PENDING and are
    /// recovered at the next start. Returns once everything has stopped.
    public func shutdown(timeout: Duration? = nil) async {
        if stop(timeout: timeout) == .created { return }   // never started: nothing runs
        await lifecycle.stopped.value
    }

    /// The runtime's task group: the database's connections for as long as it lives, and inside
    /// them every loop (``RuntimeTasks``), beginning with startup. Workflow executions, which run
    /// in tasks of their own, are cancelled before the connections close.
    private func host() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await shieldedFromGracefulShutdown { await self.systemDatabase.run() } }
            tasks.spawn { await self.start() }
            await tasks.run()
            // Stopped, or the task was cancelled: executions still running end now.
            service.signal.trigger()
            running.cancelAll()
            _ = await running.waitUntilIdle(for: .seconds(5))
            await systemDatabase.close()
            group.cancelAll()
        }
        Self.launchedRuntimes.remove(self)
        service.signal.trigger()
        lifecycle.markStopped()
        logger.info("DBOS shut down")
    }

    /// Startup, as the group's first child: connect, migrate, resume, start the loops.
    private func start() async {
        do {
            try await systemDatabase.open(creating: config.runMigrations, listening: true)
            if config.runMigrations {
                _ = try await systemDatabase.migrate()
            } else {
                try await systemDatabase.verifySchema()
            }
            settleApplicationVersion()
            try await systemDatabase.registerApplicationVersion(applicationVersion)
            lifecycle.markRunning()
            Self.launchedRuntimes.add(self)
            tasks.spawn { await self.forwardChangeSignals() }
            tasks.spawn { await self.service.runWaitSweeps(every: self.systemDatabase.fallbackPollInterval, logger: self.logger) }
            tasks.spawn { await self.recoverHandedBack() }
            logger.info("DBOS launched", metadata: [
                "executorID": "\(executorID)", "applicationVersion": "\(applicationVersion)", "backend": "\(backendName)",
            ])
            try await startLeaseKeeper()
            let report = await recoverAtStartup()
            for failure in report.failures {
                logger.error("could not recover workflow", metadata: ["workflowID": "\(failure.workflowID)", "error": "\(failure.error)"])
            }
            try await startQueues()
            try await startSchedules()
            lifecycle.startup.open(.success(report))
        } catch {
            let failure = error as? DBOSError ?? DBOSError.databaseError(operation: "launch", reason: "\(error)")
            logger.error("DBOS could not start", metadata: ["error": "\(failure)"])
            lifecycle.startup.open(.failure(failure))
            stop(timeout: .zero)
        }
    }

    /// Begins stopping (once): wakes every wait, lets workflows reach their next operation for
    /// up to `timeout`, then ends the task group. Returns the phase the runtime was in.
    @discardableResult
    func stop(timeout: Duration?) -> Lifecycle.Phase? {
        guard let previous = lifecycle.beginStopping() else { return nil }
        Self.launchedRuntimes.remove(self)
        service.signal.trigger()
        hub.signalEverything()
        if previous == .created {
            lifecycle.markStopped()
            return previous
        }
        let timeout = timeout ?? config.shutdownTimeout
        let draining = tasks.spawn {
            // Workflows stop at their next operation; past the timeout they are cancelled, and
            // then get a moment to unwind before the connections close.
            if await !self.running.waitUntilIdle(for: timeout) {
                self.running.cancelAll()
                _ = await self.running.waitUntilIdle(for: .seconds(5))
            }
            self.tasks.finish()
        }
        if !draining { tasks.finish() }
        return previous
    }

    /// Forwards database change signals (NOTIFY, SQLite commits) to the wake-up hub.
    private func forwardChangeSignals() async {
        let hub = self.hub
        await systemDatabase.runChangeFeed { channel, payload in
            switch channel {
            case .queues?: hub.signal(WakeupHub.queueKey(payload))
            case let channel?: hub.signal(WakeupHub.key(channel, payload))
            case nil:
                hub.signal(WakeupHub.sweepKey)
                hub.signalQueues()
            }
        }
    }
}
