public import Hummingbird

/// A request the console refuses, with the status and a message for the person who sent it.
/// Rendered as an HTML page, or as JSON under `/api`.
public struct ConsoleFailure: Error, Sendable, CustomStringConvertible {
    /// The HTTP status (a 4xx).
    public var status: HTTPResponse.Status
    /// What was wrong, in one sentence.
    public var message: String

    /// A failure with a status and a message.
    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }

    static func badRequest(_ message: String) -> ConsoleFailure { ConsoleFailure(.badRequest, message) }
    static func notFound(_ message: String) -> ConsoleFailure { ConsoleFailure(.notFound, message) }
}
