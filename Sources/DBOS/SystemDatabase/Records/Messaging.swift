/// A message to insert into `notifications`.
struct OutgoingMessage: Sendable {
    var messageUUID: String
    var destination: String
    var topic: String
    var message: String
    var serialization: String
    var createdAt: Int64
}

/// A value to store under a key of a workflow: an event, or a stream entry.
struct StoredValueWrite: Sendable {
    var workflowID: String
    var key: String
    var value: String
    var serialization: String
}

/// A stored event value.
struct StoredValue: Sendable, Equatable {
    var value: String
    var serialization: String?
}

/// One value of a stream.
struct StreamEntry: Sendable, Equatable {
    var offset: Int
    var value: String
    var serialization: String?
}
