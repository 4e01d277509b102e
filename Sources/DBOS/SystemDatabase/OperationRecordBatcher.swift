import Synchronization

/// Group commit of operation records (step checkpoints) on a server database.
///
/// Every step of every workflow ends with one record, each its own commit when written alone:
/// the disk's flush rate then bounds the whole runtime. Here, records that arrive while a flush
/// is in flight wait for the next one, which writes them all in one multi-row statement (one
/// commit, one flush), with the ownership check made per row and the outcome reported per
/// record, so a record another execution wrote first, or one whose workflow changed hands,
/// affects only its own workflow.
///
/// - No added latency alone: a record that finds no flush in flight is written at once, by its
///   own caller (the *leader*), with no task hop.
/// - Durable before it returns: a caller resumes only after the statement holding its record
///   has committed (the driver confirms commits).
/// - Isolated failures: when the multi-row statement fails for a reason that is not transient
///   (the driver already retried those), each record of the batch is written alone, so the
///   error reaches only the record that causes it.
/// - Batches leave the leader's task once it has its answer: a leader cancelled mid-batch
///   (its workflow was stopped) does not fail its neighbours, because a batch holding other
///   callers' records runs in a task of its own.
final class OperationRecordBatcher: Sendable {
    /// One record waiting to be written.
    struct Unit: Sendable {
        let record: StepRecord
        let ownerXID: String
        let answer: Answer
    }

    /// Writes many records in one statement; returns the (workflow ID, function ID) pairs written.
    typealias WriteMany = @Sendable ([Unit]) async throws -> Set<RecordKey>
    /// Writes one record alone; returns whether it was written.
    typealias WriteOne = @Sendable (StepRecord, String) async throws -> Bool

    struct RecordKey: Hashable, Sendable {
        let workflowID: String
        let functionID: Int
    }

    /// The most records one statement carries (ten binds each).
    static let maxBatch = 500

    private struct State {
        var queued: [Unit] = []
        var flushing = false
    }

    private let state = Mutex(State())
    private let writeMany: WriteMany
    private let writeOne: WriteOne

    init(writeMany: @escaping WriteMany, writeOne: @escaping WriteOne) {
        self.writeMany = writeMany
        self.writeOne = writeOne
    }

    /// How many records wait for the next flush.
    var queuedCount: Int { state.withLock { $0.queued.count } }

    /// Writes `record` if `ownerXID` owns its workflow; returns whether it was written (false:
    /// a record already exists at its function ID, or the workflow is not the caller's).
    func record(_ record: StepRecord, ownerXID: String) async throws -> Bool {
        let unit = Unit(record: record, ownerXID: ownerXID, answer: Answer())
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
            if batch.isEmpty { return }   // not reached: the leader's record is queued until flushed
            if batch.count == 1 {
                await write(batch)   // only the leader's own record: no hop
            } else {
                await Task { await self.write(batch) }.value
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
            await write(batch)
        }
    }

    /// The next batch, in arrival order; empty (and no longer flushing) when nothing is queued.
    private func takeBatch() -> [Unit] {
        state.withLock { state in
            guard !state.queued.isEmpty else {
                state.flushing = false
                return []
            }
            let count = min(state.queued.count, Self.maxBatch)
            defer { state.queued.removeFirst(count) }
            return Array(state.queued.prefix(count))
        }
    }

    private func write(_ batch: [Unit]) async {
        if batch.count == 1 {
            let unit = batch[0]
            unit.answer.resolve(await Result(catching: { try await writeOne(unit.record, unit.ownerXID) }))
            return
        }
        do {
            let written = try await writeMany(batch)
            for unit in batch {
                unit.answer.resolve(.success(written.contains(RecordKey(workflowID: unit.record.workflowID,
                                                                       functionID: unit.record.functionID))))
            }
        } catch {
            // One record's failure (or the whole statement's): each alone finds out which.
            for unit in batch {
                unit.answer.resolve(await Result(catching: { try await writeOne(unit.record, unit.ownerXID) }))
            }
        }
    }
}

extension OperationRecordBatcher {
    /// The answer to one record: set once by whoever flushed it, awaited by its caller.
    final class Answer: Sendable {
        private struct State {
            var result: Result<Bool, any Error>?
            var waiter: CheckedContinuation<Bool, any Error>?
        }

        private let state = Mutex(State())

        var isAnswered: Bool { state.withLock { $0.result != nil } }

        func resolve(_ result: Result<Bool, any Error>) {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, any Error>? in
                guard state.result == nil else { return nil }
                state.result = result
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(with: result)
        }

        func value() async throws -> Bool {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<Bool, any Error>? in
                    if let result = state.result { return result }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        }
    }
}

