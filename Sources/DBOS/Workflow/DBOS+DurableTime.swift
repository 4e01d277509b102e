public import Foundation

extension DBOS {
    /// Sleeps durably: the wake-up time is recorded, so after a crash or restart the
    /// workflow sleeps only for what is left. Outside a workflow it is a plain sleep.
    public static func sleep(for duration: Duration) async throws {
        guard let context = WorkflowContext.forOperation() else {
            try await Task.sleep(for: duration.kept)
            return
        }
        let sleep: Operation<Double> = try context.reserve(Operation<Double>.sleepName) { try context.decoded($0) }
        let wakeUp = try await sleep.durableDeadline(after: duration, spansTheWait: true)
        // A replay check only follows the history: it does not wait.
        guard context.mode == .live else { return }
        try await context.runtime.service.pause(until: Date(timeIntervalSince1970: wakeUp))
    }

    /// The current time (on the runtime's ``DBOSConfig/clock``), recorded on first execution
    /// and replayed afterwards. Outside a workflow, the machine's time.
    public static func now() async throws -> Date {
        let clock = WorkflowContext.current?.runtime.clock ?? WallClock()
        return try await step("DBOS.now") { clock.now }
    }

    /// A random integer in `range`, recorded on first execution and replayed afterwards.
    public static func random(in range: ClosedRange<Int>) async throws -> Int {
        try await step("DBOS.random") { Int.random(in: range) }
    }

    /// A random number in `range`, recorded on first execution and replayed afterwards.
    public static func random(in range: Range<Double>) async throws -> Double {
        try await step("DBOS.random") { Double.random(in: range) }
    }

    /// A new UUID, recorded on first execution (as lowercase text, as DBOS Python records it)
    /// and replayed afterwards.
    public static func uuid() async throws -> UUID {
        let text = try await step("DBOS.uuid") { UUID().uuidString.lowercased() }
        guard let uuid = UUID(uuidString: text) else {
            throw DBOSError.decodingFailed(what: "recorded DBOS.uuid", type: "UUID", reason: "'\(text)' is not a UUID")
        }
        return uuid
    }

    /// A new UUID as lowercase text, recorded and replayed.
    @available(*, deprecated, message: "use uuid(), which returns a UUID")
    @_disfavoredOverload
    public static func uuid() async throws -> String {
        try await uuid().uuidString.lowercased()
    }

    /// The ID of the running workflow, or nil outside a workflow.
    public static var workflowID: String? { WorkflowContext.current?.workflowID }

    /// The runtime executing the current workflow, or nil outside a workflow.
    public static var currentRuntime: DBOS? { WorkflowContext.current?.runtime }
}
