import Foundation
import Synchronization

/// Wakes waiters (recv, getEvent, stream readers) when what they wait for may have changed.
///
/// A waiter registers *before* checking the database and then waits; a signal that arrives in
/// between is kept, so no wake-up is lost. Signals come from this process's own writes, from
/// PostgreSQL LISTEN/NOTIFY, and from the runtime's shared wait sweep (see `Waiting.swift`),
/// which finds the waiters whose rows are there with one query for all of them.
///
/// Waiters are indexed by key and by group, so a signal costs the same with ten thousand
/// waiters as with one: it touches only the waiters it wakes.
final class WakeupHub: Sendable {
    /// What a group of waiters waits for: rows of a change channel, a queue, or anything else.
    private enum Group: Hashable {
        case channel(ChangeChannel)
        case queue
        case other
    }

    private struct Waiter {
        let key: String
        let group: Group
        /// The workflow whose rows the waiter waits for, when it waits for rows.
        let workflowID: String?
        var fired = false
        var continuation: CheckedContinuation<Void, Never>?
    }

    private struct Registry {
        var waiters: [UUID: Waiter] = [:]
        var byKey: [String: Set<UUID>] = [:]
        var byGroup: [Group: Set<UUID>] = [:]

        mutating func add(_ id: UUID, _ waiter: Waiter) {
            waiters[id] = waiter
            byKey[waiter.key, default: []].insert(id)
            byGroup[waiter.group, default: []].insert(id)
        }

        mutating func remove(_ id: UUID) {
            guard let waiter = waiters.removeValue(forKey: id) else { return }
            Self.remove(id, waiter.key, from: &byKey)
            Self.remove(id, waiter.group, from: &byGroup)
        }

        private static func remove<Key: Hashable>(_ id: UUID, _ key: Key, from index: inout [Key: Set<UUID>]) {
            // In place: a copy of a group's set would cost as much as the group is large.
            index[key]?.remove(id)
            if index[key]?.isEmpty == true { index[key] = nil }
        }

        /// Marks the waiters fired and returns the continuations to resume (outside the lock).
        mutating func fire(_ ids: some Sequence<UUID>) -> [CheckedContinuation<Void, Never>] {
            var resumed: [CheckedContinuation<Void, Never>] = []
            for id in ids {
                guard var waiter = waiters[id], !waiter.fired else { continue }
                waiter.fired = true
                if let continuation = waiter.continuation {
                    resumed.append(continuation)
                    waiter.continuation = nil
                }
                waiters[id] = waiter
            }
            return resumed
        }
    }

    private let registry = Mutex(Registry())

    static func key(_ channel: ChangeChannel, _ payload: String) -> String { channel.rawValue + "|" + payload }
    static func key(_ channel: ChangeChannel, _ workflowID: String, _ name: String) -> String {
        key(channel, "\(workflowID)::\(name)")
    }
    /// Signalled when a queue may have work (an enqueue here) or a free slot (a workflow finished).
    static func queueKey(_ queue: String) -> String { queuePrefix + queue }
    private static let queuePrefix = "queue|"
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
        add(Waiter(key: key, group: key.hasPrefix(Self.queuePrefix) ? .queue : .other, workflowID: nil))
    }

    /// Registers a waiter for `name`'s rows of `workflowID` on `channel` (a message topic, an
    /// event key, a stream key): woken by ``signal(_:)`` with ``key(_:_:_:)`` of the same, and
    /// found by the shared sweep through ``watchedWorkflowIDs(on:)``.
    func register(_ channel: ChangeChannel, of workflowID: String, name: String) -> UUID {
        add(Waiter(key: Self.key(channel, workflowID, name), group: .channel(channel), workflowID: workflowID))
    }

    private func add(_ waiter: Waiter) -> UUID {
        let id = UUID()
        registry.withLock { $0.add(id, waiter) }
        return id
    }

    /// Drops a registration that will not be waited on.
    func cancel(_ id: UUID) {
        registry.withLock { $0.remove(id) }
    }

    /// The workflows that have a waiter on `channel` not yet woken.
    func watchedWorkflowIDs(on channel: ChangeChannel) -> Set<String> {
        registry.withLock { registry in
            var ids = Set<String>()
            for id in registry.byGroup[.channel(channel)] ?? [] {
                if let waiter = registry.waiters[id], !waiter.fired, let workflowID = waiter.workflowID { ids.insert(workflowID) }
            }
            return ids
        }
    }

    /// Wakes the waiters of one key.
    func signal(_ key: String) {
        resume(registry.withLock { $0.fire($0.byKey[key] ?? []) })
    }

    /// Wakes every queue dispatcher (another process may have enqueued work: SQLite's data
    /// version changed, or the PostgreSQL listener reconnected and may have missed a NOTIFY).
    func signalQueues() {
        resume(registry.withLock { $0.fire($0.byGroup[.queue] ?? []) })
    }

    /// Wakes every waiter (the runtime is shutting down).
    func signalEverything() {
        resume(registry.withLock { $0.fire(Array($0.waiters.keys)) })
    }

    private func resume(_ continuations: [CheckedContinuation<Void, Never>]) {
        for continuation in continuations { continuation.resume() }
    }

    /// Waits until the registration fires or `timeout` (if any) passes, then unregisters it.
    func wait(_ id: UUID, timeout: Duration?) async {
        await wait(id, timeout: timeout, until: nil, on: WallClock())
    }

    /// Waits until the registration fires, `timeout` (real time, if any) passes or `clock`
    /// reaches `deadline` (if any), then unregisters it.
    func wait(_ id: UUID, timeout: Duration?, until deadline: Date?, on clock: any DBOSClock) async {
        defer { cancel(id) }
        var timeout = timeout
        var deadline = deadline
        if let until = deadline, clock.isWallClock {
            // One timer for both: the deadline is real time too.
            let untilDeadline = Duration.kept(seconds: until.timeIntervalSinceNow + 0.000_5)   // rounded up to the millisecond
            timeout = min(timeout ?? untilDeadline, untilDeadline)
            deadline = nil
        }
        if timeout == nil && deadline == nil { return await waitFired(id) }
        await withTaskGroup(of: Void.self) { [timeout, deadline] group in
            if let timeout { group.addTask { try? await Task.sleep(for: timeout) } }
            if let deadline { group.addTask { try? await clock.sleep(until: deadline) } }
            group.addTask { await self.waitFired(id) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitFired(_ id: UUID) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = registry.withLock { registry -> Bool in
                    guard let waiter = registry.waiters[id], !waiter.fired, !Task.isCancelled else { return true }
                    registry.waiters[id]?.continuation = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            resume(registry.withLock { $0.fire([id]) })
        }
    }
}
