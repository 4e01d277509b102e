import Logging
import Synchronization

/// Group commit on a server database: writes that arrive while a flush is in flight wait for
/// the next one, which carries them all in one multi-row statement (one commit, one flush of
/// the server's log), with the outcome reported per write.
///
/// Every step of every workflow ends with a checkpoint, and every workflow with a completion,
/// each its own commit when written alone: the disk's flush rate then bounds the runtime. The
/// statements check ownership per row, so a record another execution wrote first, or a
/// workflow that changed hands, affects only its own write.
///
/// - No added latency alone: a write that finds no flush in flight is written at once, by its
///   own caller (the *leader*), with no task hop.
/// - Durable before it returns: a caller resumes only after the statement holding its write
///   has committed (the driver confirms commits).
/// - Isolated failures: when the multi-row statement fails for a reason that is not transient
///   (the driver already retried those), each write of the batch is written alone, so the
///   error reaches only the write that causes it.
/// - Batches leave the leader's task once it has its answer: a leader cancelled mid-batch
///   (its workflow was stopped) does not fail its neighbours, because a batch holding other
///   callers' writes runs in a task of its own.
final class GroupCommit<Item: Sendable, Outcome: Sendable>: Sendable {
    /// One write waiting for a flush.
    struct Unit: Sendable {
        let item: Item
        let answer: Answer
    }

    /// Writes many items in one statement; returns each one's outcome, in order.
    typealias WriteMany = @Sendable ([Item]) async throws -> [Outcome]
    /// Writes one item alone.
    typealias WriteOne = @Sendable (Item) async throws -> Outcome

    /// The most writes one statement carries.
    let maxBatch: Int

    private struct State {
        var queued: [Unit] = []
        var flushing = false
    }

    private let state = Mutex(State())
    private let writeMany: WriteMany
    private let writeOne: WriteOne
    /// What is written (for logs): "operation records", ...
    private let what: String
    private let logger: Logger

    init(_ what: String, maxBatch: Int, logger: Logger, writeMany: @escaping WriteMany, writeOne: @escaping WriteOne) {
        self.what = what
        self.maxBatch = maxBatch
        self.logger = logger
        self.writeMany = writeMany
        self.writeOne = writeOne
    }

    /// How many writes wait for the next flush.
    var queuedCount: Int { state.withLock { $0.queued.count } }

    /// Writes `item` with the next flush (at once when none is in flight) and returns its
    /// outcome once the statement carrying it has committed.
    func write(_ item: Item) async throws -> Outcome {
        let unit = Unit(item: item, answer: Answer())
        let leads = state.withLock { state -> Bool in
            state.queued.append(unit)
            guard !state.flushing else { return false }
            state.flushing = true
            return true
        }
        if leads { await lead(until: unit.answer) }
        return try await unit.answer.value()
    }

    /// Flushes batches until `own` is answered, then hands what is still queued to a task.
    private func lead(until own: Answer) async {
        while !own.isAnswered {
            let batch = takeBatch()
            if batch.isEmpty { return }   // not reached: the leader's write is queued until flushed
            if batch.count == 1 {
                await flush(batch)   // only the leader's own write: no hop
            } else {
                await Task { await self.flush(batch) }.value
            }
        }
        let more = state.withLock { state -> Bool in
            if state.queued.isEmpty { state.flushing = false }
            return state.flushing
        }
        if more { Task { await self.drain() } }
    }

    /// Flushes until nothing is queued.
    private func drain() async {
        while true {
            let batch = takeBatch()
            if batch.isEmpty { return }
            await flush(batch)
        }
    }

    /// The next batch, in arrival order; empty (and no longer flushing) when nothing is queued.
    private func takeBatch() -> [Unit] {
        state.withLock { state in
            guard !state.queued.isEmpty else {
                state.flushing = false
                return []
            }
            let count = min(state.queued.count, maxBatch)
            defer { state.queued.removeFirst(count) }
            return Array(state.queued.prefix(count))
        }
    }

    private func flush(_ batch: [Unit]) async {
        if batch.count == 1 {
            let unit = batch[0]
            unit.answer.resolve(await Result(catching: { try await writeOne(unit.item) }))
            return
        }
        do {
            let outcomes = try await writeMany(batch.map(\.item))
            guard outcomes.count == batch.count else {
                throw DBOSError.databaseError(operation: "group commit", reason: "\(outcomes.count) outcomes for \(batch.count) writes")
            }
            for (unit, outcome) in zip(batch, outcomes) { unit.answer.resolve(.success(outcome)) }
        } catch {
            // One write's failure (or the whole statement's): each alone finds out which.
            var failed = 0
            for unit in batch {
                let result = await Result(catching: { try await writeOne(unit.item) })
                if case .failure = result { failed += 1 }
                unit.answer.resolve(result)
            }
            // A batch that failed although each of its writes succeeds alone is this code's
            // fault (its statement), not a write's: say so, since it costs the batching.
            let level: Logger.Level = failed == 0 ? .warning : .debug
            logger.log(level: level, "group commit: a batch failed; its writes were made one by one", metadata: [
                "writes": "\(what)", "count": "\(batch.count)", "failedAlone": "\(failed)", "error": "\(error)",
            ])
        }
    }
}

extension GroupCommit {
    /// The answer to one write: set once by whoever flushed it, awaited by its caller.
    final class Answer: Sendable {
        private struct State {
            var result: Result<Outcome, any Error>?
            var waiter: CheckedContinuation<Outcome, any Error>?
        }

        private let state = Mutex(State())

        var isAnswered: Bool { state.withLock { $0.result != nil } }

        func resolve(_ result: Result<Outcome, any Error>) {
            let waiter = state.withLock { state -> CheckedContinuation<Outcome, any Error>? in
                guard state.result == nil else { return nil }
                state.result = result
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(with: result)
        }

        func value() async throws -> Outcome {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<Outcome, any Error>? in
                    if let result = state.result { return result }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        }
    }
}

