import Foundation
import Logging

extension WorkflowService {
    /// Re-checks `check` whenever `name`'s rows of `workflowID` on `channel` may have changed,
    /// until it yields a value or `deadline` (epoch seconds) passes. Registration precedes each
    /// check, so a signal between the check and the wait is not lost.
    ///
    /// In a runtime a waiter costs no queries while it waits: local writes, LISTEN/NOTIFY and
    /// the runtime's shared sweep (``runWaitSweeps(every:logger:)``) wake it. In a client, which runs
    /// no sweep, each waiter re-checks at the fallback interval.
    func waitFor<T: Sendable>(_ channel: ChangeChannel, of workflowID: String, name: String, until deadline: Double?,
                              _ check: () async throws -> T?) async throws -> T? {
        while true {
            let registration = hub.register(channel, of: workflowID, name: name)
            if let value = try await check() {
                hub.cancel(registration)
                return value
            }
            if signal.isTriggered {
                hub.cancel(registration)
                throw DBOSError.shuttingDown
            }
            let timeout = waitsAreSwept ? nil : systemDatabase.fallbackPollInterval
            // In milliseconds, as the clock sleeps: a deadline read back from its stored text may
            // differ from the sum that made it by a rounding error.
            if let deadline, clock.nowMilliseconds >= Int64((deadline * 1000).rounded()) {
                hub.cancel(registration)
                return nil
            }
            await hub.wait(registration, timeout: timeout, until: deadline.map { Date(timeIntervalSince1970: $0) }, on: clock)
        }
    }

    /// The shared fallback for every waiter of this runtime: every `interval`, and whenever the
    /// change feed reports a change of unknown scope (a reconnected listener, another process's
    /// SQLite commit), one query per channel finds which waiting workflows have their rows and
    /// wakes only those waiters. Ten thousand idle waiters cost the same few queries as one.
    func runWaitSweeps(every interval: Duration, logger: Logger) async {
        var registration = hub.register(WakeupHub.sweepKey)
        while !signal.isTriggered {
            await hub.wait(registration, timeout: interval)
            // Registered before sweeping: a change reported during the sweep brings another one.
            registration = hub.register(WakeupHub.sweepKey)
            if signal.isTriggered { break }
            do {
                try await sweepWaits()
            } catch {
                logger.debug("wait sweep failed; the next one will look again", metadata: ["error": "\(error)"])
            }
        }
        hub.cancel(registration)
    }

    /// Wakes the waiters whose rows are there: workflows with an unconsumed message on the
    /// topic they wait on, or the event they wait for. Stream readers are left alone: they
    /// re-check their stream (and whether its workflow ended) each second on their own.
    func sweepWaits() async throws {
        let receivers = hub.watchedWorkflowIDs(on: .notifications)
        if !receivers.isEmpty {
            for (workflowID, topic) in try await systemDatabase.unconsumedMessageTopics(destinations: receivers) {
                hub.signal(WakeupHub.key(.notifications, workflowID, topic))
            }
        }
        let eventWaits = hub.watchedWorkflowIDs(on: .events)
        if !eventWaits.isEmpty {
            for (workflowID, key) in try await systemDatabase.eventKeys(workflowIDs: eventWaits) {
                hub.signal(WakeupHub.key(.events, workflowID, key))
            }
        }
    }
}
