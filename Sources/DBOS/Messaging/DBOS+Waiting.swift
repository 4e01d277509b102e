import Foundation

extension DBOS {
    /// Re-checks `check` whenever `key` is signalled (or every fallback interval) until it yields
    /// a value or `deadline` (epoch seconds) passes. Registration precedes each check, so a
    /// signal between the check and the wait is not lost.
    func waitFor<T: Sendable>(_ key: String, until deadline: Double?, _ check: () async throws -> T?) async throws -> T? {
        while true {
            let registration = hub.register(key)
            if let value = try await check() {
                hub.cancel(registration)
                return value
            }
            if isShuttingDown {
                hub.cancel(registration)
                throw DBOSError.shuttingDown
            }
            var timeout = systemDatabase.fallbackPollInterval
            if let deadline {
                let remaining = deadline - Date().timeIntervalSince1970
                if remaining <= 0 {
                    hub.cancel(registration)
                    return nil
                }
                timeout = min(timeout, .milliseconds(Int64((remaining * 1000).rounded(.up))))
            }
            await hub.wait(registration, timeout: timeout)
        }
    }
}

extension WorkflowContext {
    /// Writes an operation together with its side effect (through `write`); when the record is
    /// refused, reports why: replayed by an earlier execution (returns that record), a different
    /// operation at this ID, or a workflow this execution no longer owns.
    func recordWithEffect(_ step: StepRecord, _ write: () async throws -> Void) async throws -> StepRecord {
        do {
            try await write()
            return step
        } catch is StepNotRecorded {
            return try resolve(try await runtime.systemDatabase.diagnoseUnrecorded(step), for: step)
        }
    }

    /// The durable deadline (epoch seconds) of a timeout operation: recorded as `DBOS.sleep`
    /// the first time, read back afterwards.
    func durableDeadline(functionID: Int, timeout: Duration) async throws -> Double {
        let name = "DBOS.sleep"
        if let record = try recorded(functionID, expecting: name) {
            return try replay(record, as: Double.self)
        }
        let now = Date()
        let stored = try await record(StepRecord(
            workflowID: workflowID, functionID: functionID, functionName: name,
            output: try PortableJSON.encode(now.timeIntervalSince1970 + timeout.seconds), startedAt: now, completedAt: now))
        return try replay(stored, as: Double.self)
    }
}
