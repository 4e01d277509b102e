import Foundation
import Synchronization

/// Wakes waiters (recv, getEvent, stream readers) when what they wait for may have changed.
///
/// A waiter registers *before* checking the database and then waits; a signal that arrives in
/// between is kept, so no wake-up is lost. Signals come from this process's own writes, from
/// PostgreSQL LISTEN/NOTIFY, and on SQLite from a watcher of the database's data version.
final class WakeupHub: Sendable {
    private struct Waiter {
        var key: String
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

    /// Registers interest in `key`; pass the ID to ``wait(_:timeout:)``.
    func register(_ key: String) -> UUID {
        let id = UUID()
        waiters.withLock { $0[id] = Waiter(key: key) }
        return id
    }

    /// Drops a registration that will not be waited on.
    func cancel(_ id: UUID) {
        _ = waiters.withLock { $0.removeValue(forKey: id) }
    }

    /// Wakes the waiters of one key.
    func signal(_ key: String) {
        fire { $0.key == key }
    }

    /// Wakes every waiter of a database channel (a change of unknown scope, or a reconnect).
    /// Queue dispatchers and maintenance are not woken: they have their own signals and timers.
    func signalAll() {
        fire { $0.key.hasPrefix("dbos_") }
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

    /// Waits until the registration fires or `timeout` passes, then unregisters it.
    func wait(_ id: UUID, timeout: Duration) async {
        defer { _ = waiters.withLock { $0.removeValue(forKey: id) } }
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
