import Foundation

/// A workflow or step error in its stored, portable form: `{"name","message","code","data"}`.
///
/// Any Swift error thrown by a step or workflow is stored this way. `name` is the Swift type
/// name, `message` its description, `data` the error itself when it is `Encodable`.
/// Callers receive it as ``DBOSError/Code/workflowFailed``, or as the original Swift error
/// type when that type was registered with ``DBOS/registerError(_:)``.
public struct WorkflowFailure: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The error's type name (for Swift errors, the Swift type name).
    public var name: String
    /// A human-readable message.
    public var message: String
    /// An application error code, when the error carries one.
    public var code: JSONValue?
    /// Structured details; for an `Encodable` Swift error, the error itself.
    public var data: JSONValue?

    /// Creates a failure from its parts.
    public init(name: String, message: String, code: JSONValue? = nil, data: JSONValue? = nil) {
        self.name = name
        self.message = message
        self.code = code
        self.data = data
    }

    /// Captures any Swift error in portable form.
    public init(_ error: any Error) {
        switch error {
        case let failure as WorkflowFailure:
            self = failure
        case let dbos as DBOSError where dbos.code == .workflowFailed && dbos.failure != nil:
            self = dbos.failure!
        case let dbos as DBOSError:
            self.init(name: "DBOSError", message: dbos.description, code: .string(dbos.code.description), data: dbos.recordedDetails)
        default:
            let data = (error as? any Encodable).flatMap { try? JSONValue(encoding: $0) }
            self.init(name: String(describing: type(of: error)), message: Self.message(of: error), data: data)
        }
    }

    /// Decodes `data` as the Swift error type `E` (which must be the type that was stored).
    public func decode<E: Decodable>(as type: E.Type) throws -> E {
        guard let data else {
            throw DBOSError.decodingFailed(what: "error data of \(name)", type: "\(E.self)", reason: "the stored error has no data")
        }
        return try data.decode(as: E.self, what: "error data of \(name)")
    }

    public var description: String { "\(name): \(message)" }

    private static func message(of error: any Error) -> String {
        if let localized = error as? any LocalizedError, let description = localized.errorDescription { return description }
        return String(describing: error)
    }
}
