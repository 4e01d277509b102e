import Foundation

/// Any JSON value: used where a payload's type is not known statically
/// (error codes and data, listing rows, payloads from other languages).
public enum JSONValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 9.0e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Converts any `Encodable` value to its JSON form.
    public init(encoding value: some Encodable) throws {
        self = try PortableJSON.decode(JSONValue.self, from: try PortableJSON.encode(value), what: "encoded value")
    }

    /// Parses JSON text.
    public init(parsing text: String) throws {
        self = try PortableJSON.decode(JSONValue.self, from: text, what: "JSON text")
    }

    /// Decodes this JSON as a `Decodable` type.
    public func decode<T: Decodable>(as type: T.Type, what: String = "JSON value") throws -> T {
        try PortableJSON.decode(T.self, from: try PortableJSON.encode(self), what: what)
    }

    /// Compact JSON text.
    public var description: String { (try? PortableJSON.encode(self)) ?? "null" }
}
