import Foundation

extension WorkflowService {
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
            if signal.isTriggered {
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
                timeout = min(timeout, .kept(seconds: remaining + 0.000_5))   // rounded up to the millisecond
            }
            await hub.wait(registration, timeout: timeout)
        }
    }
}
