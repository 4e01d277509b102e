/// The output of a workflow or step that returns nothing.
///
/// A `@Workflow` or `@Step` function without a result records `NoOutput`, stored as JSON `null`
/// (what DBOS in other languages stores for a function returning `None`/`undefined`).
/// In the closure form, return `NoOutput()` from a workflow that has nothing to return.
public struct NoOutput: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The empty output.
    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard container.decodeNil() else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected null for a function that returns nothing")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encodeNil()
    }

    public var description: String { "NoOutput()" }
}
