import Foundation

extension DBOS {
    /// Sleeps durably: the wake-up time is recorded, so after a crash or restart the
    /// workflow sleeps only for what is left. Outside a workflow it is a plain sleep.
    public static func sleep(for duration: Duration) async throws {
        guard let context = WorkflowContext.current, !WorkflowContext.insideStep else {
            try await Task.sleep(for: duration)
            return
        }
        try context.checkRunnable()
        let wakeUp = try await context.durableDeadline(functionID: context.nextFunctionID(), timeout: duration)
        let remaining = wakeUp - Date().timeIntervalSince1970
        if remaining > 0 { try await context.runtime.pause(for: .seconds(remaining)) }
    }

    /// The current time, recorded on first execution and replayed afterwards.
    public static func now() async throws -> Date {
        try await step("DBOS.now") { Date() }
    }

    /// A random integer in `range`, recorded on first execution and replayed afterwards.
    public static func random(in range: ClosedRange<Int>) async throws -> Int {
        try await step("DBOS.random") { Int.random(in: range) }
    }

    /// A random number in `range`, recorded on first execution and replayed afterwards.
    public static func random(in range: Range<Double>) async throws -> Double {
        try await step("DBOS.random") { Double.random(in: range) }
    }

    /// A new UUID string, recorded on first execution and replayed afterwards.
    public static func uuid() async throws -> String {
        try await step("DBOS.uuid") { UUID().uuidString.lowercased() }
    }

    /// The ID of the running workflow, or nil outside a workflow.
    public static var workflowID: String? { WorkflowContext.current?.workflowID }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    var milliseconds: Int64 { Int64((seconds * 1000).rounded()) }
}

extension DBOS {
    /// The runtime executing the current workflow, or nil outside a workflow.
    public static var currentRuntime: DBOS? { WorkflowContext.current?.runtime }
}
