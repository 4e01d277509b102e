import Foundation
import Synchronization

/// Wakes waiters (recv, getEvent, stream readers) when what they wait for may have changed.
///
/// A waiter registers *before* checking the database and then waits; a signal that arrives in
/// between is kept, so no wake-up is lost. Signals come from this process's own writes, from
/// PostgreSQL LISTEN/NOTIFY, and from the runtime's shared wait sweep (see `Waiting.swift`),
/// which finds the waiters whose rows are there with one query for all of them.
final class WakeupHub: Sendable {
    private struct Waiter {
        var key: String
        /// The channel and workflow whose rows the waiter waits for, when it waits for rows.
        var watching: (channel: ChangeChannel, workflowID: String)?
        var fired = false
        var continuation: CheckedContinuation<Void, Never>?
    }

    private let waiters = Mutex<[UUID: Waiter]>([:])

    static func key(_ channel: ChangeChannel, _ payload: String) -> String { channel.rawValue + "|" + payload }
    /// Signalled when a queue may have work (an enqueue here) or a free slot (a workflow finished).
    static func queueKey(_ queue: String) -> String { "queue|" + queue }
    /// Signalled when workflows may have been cancelled or timed out.
    static let maintenanceKey = "maintenance"
    /// Wakes the executor-lease keeper (shutdown).
    static let leaseKey = "lease"
    /// Wakes the loop that recovers handed-back workflows.
    static let handedBackKey = "handed-back"
    /// Asks the shared wait sweep to look now (a change of unknown scope).
    static let sweepKey = "sweep"

    /// Registers interest in `key`; pass the ID to ``wait(_:timeout:)``.
    func register(_ key: String) -> UUID {
        let id = UUID()
        waiters.withLock { $0[id] = Waiter(key: key) }
        return id
    }

    /// Registers a waiter for `name`'s rows of `workflowID` on `channel` (a message topic, an
    /// event key, a stream key): woken by ``signal(_:)`` with ``key(_:_:)`` of the same, and
    /// found by the shared sweep through ``watchedWorkflowIDs(on:)``.
    func register(_ channel: ChangeChannel, of workflowID: String, name: String) -> UUID {
        let id = UUID()
        let waiter = Waiter(key: Self.key(channel, workflowID, name), watching: (channel, workflowID))
        waiters.withLock { $0[id] = waiter }
        return id
    }

    static func key(_ channel: ChangeChannel, _ workflowID: String, _ name: String) -> String {
        key(channel, "\(workflowID)::\(name)")
    }

    /// The workflows that have a waiter on `channel` not yet woken.
    func watchedWorkflowIDs(on channel: ChangeChannel) -> Set<String> {
        waiters.withLock { waiters in
            var ids = Set<String>()
            for waiter in waiters.values where !waiter.fired && waiter.watching?.channel == channel {
                ids.insert(waiter.watching!.workflowID)
            }
            return ids
        }
    }

    /// Wakes every waiter on `channel`.
    func signal(_ channel: ChangeChannel) {
        fire { $0.watching?.channel == channel }
    }

    /// Drops a registration that will not be waited on.
    func cancel(_ id: UUID) {
        _ = waiters.withLock { $0.removeValue(forKey: id) }
    }

    /// Wakes the waiters of one key.
    func signal(_ key: String) {
        fire { $0.key == key }
    }

    /// Wakes every queue dispatcher (another process may have enqueued work: SQLite's data
    /// version changed, or the PostgreSQL listener reconnected and may have missed a NOTIFY).
    func signalQueues() {
        fire { $0.key.hasPrefix("queue|") }
    }

    /// Wakes every waiter (the runtime is shutting down).
    func signalEverything() {
        fire { _ in true }
    }

    private func fire(_ matches: (Waiter) -> Bool) {
        let continuations = waiters.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            var resumed: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in waiters where matches(waiter) && !waiter.fired {
                waiters[id]?.fired = true
                if let continuation = waiter.continuation {
                    resumed.append(continuation)
                    waiters[id]?.continuation = nil
                }
            }
            return resumed
        }
        for continuation in continuations { continuation.resume() }
    }

    /// Waits until the registration fires or `timeout` (if any) passes, then unregisters it.
    func wait(_ id: UUID, timeout: Duration?) async {
        defer { _ = waiters.withLock { $0.removeValue(forKey: id) } }
        guard let timeout else { return await waitFired(id) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitFired(id) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitFired(_ id: UUID) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = waiters.withLock { waiters -> Bool in
                    guard let waiter = waiters[id], !waiter.fired, !Task.isCancelled else { return true }
                    waiters[id]?.continuation = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = waiters.withLock { waiters -> CheckedContinuation<Void, Never>? in
                let continuation = waiters[id]?.continuation
                waiters[id]?.continuation = nil
                waiters[id]?.fired = true
                return continuation
            }
            continuation?.resume()
        }
    }
}
