/// An event a workflow has set: its key and latest value, as stored (serialized).
public struct EventRecord: Sendable, Equatable, Codable {
    /// The event's key.
    public var key: String
    /// The serialized value, as stored.
    public var value: String
    /// The serialization format of `value`.
    public var serialization: String?

    /// A record with the given fields.
    public init(key: String, value: String, serialization: String?) {
        self.key = key
        self.value = value
        self.serialization = serialization
    }
}

/// One stream of a workflow: its key, its first values as stored, and whether it is closed.
public struct StreamRecord: Sendable, Equatable, Codable {
    /// The stream's key.
    public var key: String
    /// How many values the stream holds (not counting the close marker).
    public var count: Int
    /// Whether the writer closed the stream (`DBOS.closeStream`).
    public var isClosed: Bool
    /// The first values, in order (offset and serialized value), up to the limit asked for.
    public var values: [Entry]

    /// One value of a stream, as stored.
    public struct Entry: Sendable, Equatable, Codable {
        /// The value's position in the stream, from 0.
        public var offset: Int
        /// The serialized value.
        public var value: String

        /// An entry with the given fields.
        public init(offset: Int, value: String) {
            self.offset = offset
            self.value = value
        }
    }

    /// A record with the given fields.
    public init(key: String, count: Int, isClosed: Bool, values: [Entry]) {
        self.key = key
        self.count = count
        self.isClosed = isClosed
        self.values = values
    }
}
