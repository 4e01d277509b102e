import Foundation

extension Operation where Output: Codable & Sendable {
    /// Runs a step body (with its retries) for the first time and records its output or
    /// error. When another execution recorded this step first, its outcome is the one that counts.
    func runStep(retries: RetryPolicy, _ body: @Sendable () async throws -> Output) async throws -> Output {
        let runtime = context.runtime
        let started = Date()
        let value: Output
        do {
            value = try await WorkflowContext.$insideStep.withValue(true) {
                try await retries.run(step: name, pause: { try await runtime.service.pause(for: $0) }, body)
            }
        } catch {
            // A body stopped by shutdown or cancellation did not fail: nothing is recorded, and
            // the step runs again when the workflow is recovered.
            if DBOSError.Code.shuttingDown ~= error || runtime.isShuttingDown || Task.isCancelled {
                throw DBOSError.shuttingDown
            }
            let failure = try PortableJSON.encode(WorkflowFailure(error))
            return try await commit(record(error: failure, startedAt: started)) { throw error }
        }
        return try await commit(record(output: try PortableJSON.encode(value), startedAt: started)) { value }
    }
}
