/// What one garbage collection deleted (see ``WorkflowManaging/garbageCollect(completedBefore:keepLatest:batchSize:)``).
public struct GarbageCollectionReport: Sendable, Codable, Equatable {
    /// Finished workflows deleted, with their inputs and outputs.
    public var workflows: Int
    /// Their recorded operations (steps, sends, waits, child starts).
    public var steps: Int
    /// Messages sent to them.
    public var messages: Int
    /// Their events, one per key (each key's history goes with it).
    public var events: Int
    /// The values of their streams.
    public var streamValues: Int

    /// A report of these counts.
    public init(workflows: Int = 0, steps: Int = 0, messages: Int = 0, events: Int = 0, streamValues: Int = 0) {
        self.workflows = workflows
        self.steps = steps
        self.messages = messages
        self.events = events
        self.streamValues = streamValues
    }

    /// The sum of two reports (of successive batches).
    static func + (lhs: Self, rhs: Self) -> Self {
        GarbageCollectionReport(workflows: lhs.workflows + rhs.workflows, steps: lhs.steps + rhs.steps,
                                messages: lhs.messages + rhs.messages, events: lhs.events + rhs.events,
                                streamValues: lhs.streamValues + rhs.streamValues)
    }
}
