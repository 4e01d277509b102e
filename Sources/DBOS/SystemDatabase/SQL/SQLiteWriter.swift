import SQLiteNIO
import Synchronization

/// Group commit on SQLite's single writer connection.
///
/// Writers queue units; ``run()`` (a loop in the owner's task group) takes everything queued,
/// runs it in one `BEGIN IMMEDIATE ... COMMIT` (each unit inside its own savepoint, so one
/// failing unit does not undo the others) and only then resumes the callers. With
/// `synchronous=FULL` one fsync covers every checkpoint that arrived while the previous
/// commit ran.
final class SQLiteWriter: Sendable {
    /// A queued unit: `run` reports whether the unit succeeded (a failed unit's savepoint is
    /// rolled back); `finish` is called after the batch's COMMIT with the commit's error, if any.
    private struct Job: Sendable {
        let run: @Sendable (any SQLExecutor) async -> Bool
        let finish: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var jobs: [Job] = []
        /// The loop, when it waits for jobs.
        var loop: CheckedContinuation<Void, Never>?
        var flushing = false
        var stopped = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let connection: SQLiteConnection
    private let state = Mutex(State())

    private let metrics: RuntimeMetrics

    init(connection: SQLiteConnection, metrics: RuntimeMetrics) {
        self.connection = connection
        self.metrics = metrics
    }

    /// Runs `body` in the next batch's transaction; returns after that batch commits.
    func submit<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let outcome = ResultBox<T>()
            let job = Job(
                run: { executor in
                    do {
                        outcome.set(.success(try await body(executor)))
                        return true
                    } catch {
                        outcome.set(.failure(error))
                        return false
                    }
                },
                finish: { commitError in
                    if let commitError { continuation.resume(throwing: commitError); return }
                    continuation.resume(with: outcome.get()
                        ?? .failure(DBOSError.databaseError(operation: "write", reason: "the unit did not run")))
                })
            let (accepted, loop) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                guard !state.stopped else { return (false, nil) }
                state.jobs.append(job)
                defer { state.loop = nil }
                return (true, state.loop)
            }
            guard accepted else {
                continuation.resume(throwing: DBOSError.databaseError(operation: "write", reason: "the SQLite system database is closed"))
                return
            }
            loop?.resume()
        }
    }

    /// Commits queued units batch by batch until cancelled; then fails what is still queued.
    func run() async {
        while !Task.isCancelled {
            let batch = await nextBatch()
            if batch.isEmpty { continue }
            let commitError = await commit(batch)
            for job in batch { job.finish(commitError) }
        }
        let abandoned = state.withLock { state -> [Job] in
            state.stopped = true
            defer { state.jobs.removeAll() }
            return state.jobs
        }
        let closed = DBOSError.databaseError(operation: "write", reason: "the SQLite system database is closed")
        for job in abandoned { job.finish(closed) }
        finishFlushing()
    }

    /// Everything queued, waiting for the first unit when nothing is (empty when cancelled).
    private func nextBatch() async -> [Job] {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if !state.jobs.isEmpty || Task.isCancelled { return true }
                    finishFlushing(&state)
                    state.loop = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.loop = nil }
                return state.loop
            }?.resume()
        }
        return state.withLock { state in
            let taken = state.jobs
            state.jobs.removeAll(keepingCapacity: true)
            state.flushing = !taken.isEmpty
            return taken
        }
    }

    private func finishFlushing(_ state: inout State) {
        state.flushing = false
        for waiter in state.idleWaiters { waiter.resume() }
        state.idleWaiters.removeAll()
    }

    private func finishFlushing() { state.withLock { finishFlushing(&$0) } }

    /// Runs one batch in one transaction; with several units, each in a savepoint of its own.
    private func commit(_ batch: [Job]) async -> (any Error)? {
        metrics.checkpointBatch(size: batch.count, backend: "sqlite")
        let executor = SQLiteExecutor(connection: connection)
        do {
            _ = try await connection.query("BEGIN IMMEDIATE")
        } catch {
            return SQLiteDriver.databaseError(error, during: "begin transaction")
        }
        if batch.count == 1 {
            if await batch[0].run(executor) == false {
                _ = try? await connection.query("ROLLBACK")
                return nil
            }
        } else {
            for job in batch {
                do {
                    _ = try await connection.query("SAVEPOINT unit")
                    if await job.run(executor) {
                        _ = try await connection.query("RELEASE unit")
                    } else {
                        _ = try await connection.query("ROLLBACK TO unit")
                        _ = try await connection.query("RELEASE unit")
                    }
                } catch {
                    _ = try? await connection.query("ROLLBACK")
                    return SQLiteDriver.databaseError(error, during: "savepoint")
                }
            }
        }
        do {
            _ = try await connection.query("COMMIT")
            return nil
        } catch {
            _ = try? await connection.query("ROLLBACK")
            return SQLiteDriver.databaseError(error, during: "commit")
        }
    }

    /// Waits until every queued unit is committed (or the writer stopped).
    func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                if state.stopped || (!state.flushing && state.jobs.isEmpty) { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }
}

/// Runs statements on the writer connection inside the current batch's transaction.
struct SQLiteExecutor: SQLExecutor {
    let connection: SQLiteConnection
    func execute(_ query: SQLQuery) async throws -> [SQLRow] {
        try await SQLiteDriver.run(query, on: connection)
    }
}

/// A thread-safe holder of one result.
final class ResultBox<T: Sendable>: Sendable {
    private let storage = Mutex<Result<T, any Error>?>(nil)
    func set(_ result: Result<T, any Error>) { storage.withLock { $0 = result } }
    func get() -> Result<T, any Error>? { storage.withLock { $0 } }
}
