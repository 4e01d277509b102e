public import DBOS

/// JSON schemas of tool arguments.
public enum JSONSchema {
    /// The schema of `type`'s JSON form, found by running its `init(from:)` against a decoder
    /// that records what it asks for: properties and their types, `required` for the ones
    /// decoded with `decode` rather than `decodeIfPresent`, arrays' item types. A type whose
    /// decoding depends on values (a validated or enum field) gets the part recorded before
    /// it failed; declare the schema instead (``AgentTool/function(_:description:schema:policy:_:)``).
    public static func derive<T: Decodable>(from type: T.Type) -> JSONValue {
        let recorder = SchemaRecorder()
        _ = try? T(from: recorder)
        return recorder.node.schema
    }
}

/// What one decoded value turned out to be.
final class SchemaNode: @unchecked Sendable {
    var type = "object"
    var properties: [(String, SchemaNode, required: Bool)] = []
    var items: SchemaNode?

    var schema: JSONValue {
        var fields: [String: JSONValue] = ["type": .string(type)]
        if type == "object" {
            var properties: [String: JSONValue] = [:]
            for (key, node, _) in self.properties { properties[key] = node.schema }
            fields["properties"] = .object(properties)
            fields["required"] = .array(self.properties.filter(\.required).map { .string($0.0) })
        }
        if let items { fields["items"] = items.schema }
        return .object(fields)
    }

    /// The JSON type of a primitive Swift type, nil for others.
    static func primitive(_ type: Any.Type) -> String? {
        switch type {
        case is String.Type: "string"
        case is Bool.Type: "boolean"
        case is Int.Type, is Int8.Type, is Int16.Type, is Int32.Type, is Int64.Type,
             is UInt.Type, is UInt8.Type, is UInt16.Type, is UInt32.Type, is UInt64.Type: "integer"
        case is Double.Type, is Float.Type: "number"
        default: nil
        }
    }

    /// Decodes `type` with a recorder into this node.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let primitive = Self.primitive(type) {
            self.type = primitive
            let placeholder: JSONValue = switch primitive {
            case "string": .string("")
            case "boolean": .bool(false)
            default: .number(0)
            }
            return try placeholder.decode(as: T.self)
        }
        let recorder = SchemaRecorder(node: self)
        return try T(from: recorder)
    }
}

/// A decoder that records the shape of what it decodes (see ``JSONSchema/derive(from:)``).
struct SchemaRecorder: Decoder {
    let node: SchemaNode
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    init(node: SchemaNode = SchemaNode()) { self.node = node }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        node.type = "object"
        return KeyedDecodingContainer(Keyed<Key>(node: node))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        node.type = "array"
        return Unkeyed(node: node)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(node: node) }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let node: SchemaNode
        var codingPath: [any CodingKey] = []
        var allKeys: [Key] { [] }
        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let child = SchemaNode()
            node.properties.append((key.stringValue, child, required: true))
            return try child.decode(type)
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            let child = SchemaNode()
            node.properties.append((key.stringValue, child, required: false))
            _ = try? child.decode(type)
            return nil
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            let child = SchemaNode()
            node.properties.append((key.stringValue, child, required: true))
            return KeyedDecodingContainer(Keyed<NestedKey>(node: child))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            let child = SchemaNode()
            child.type = "array"
            node.properties.append((key.stringValue, child, required: true))
            return Unkeyed(node: child)
        }

        func superDecoder() throws -> any Decoder { SchemaRecorder(node: node) }
        func superDecoder(forKey key: Key) throws -> any Decoder { SchemaRecorder(node: node) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let node: SchemaNode
        var codingPath: [any CodingKey] = []
        var count: Int? { 1 }
        var currentIndex = 0
        var isAtEnd: Bool { currentIndex > 0 }

        mutating func decodeNil() throws -> Bool { false }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            currentIndex += 1
            let child = SchemaNode()
            node.items = child
            return try child.decode(type)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            currentIndex += 1
            let child = SchemaNode()
            node.items = child
            return KeyedDecodingContainer(Keyed<NestedKey>(node: child))
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            currentIndex += 1
            let child = SchemaNode()
            child.type = "array"
            node.items = child
            return Unkeyed(node: child)
        }

        mutating func superDecoder() throws -> any Decoder { SchemaRecorder(node: node) }
    }

    struct Single: SingleValueDecodingContainer {
        let node: SchemaNode
        var codingPath: [any CodingKey] = []
        func decodeNil() -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try node.decode(type) }
    }
}
