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
            fields["required"] = .array(self.properties.filter { $0.required }.map { .string($0.0) })
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

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decode(type, key) }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try decodeIfPresent(type, key) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type as Bool.Type, key) }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodeIfPresent(type as Bool.Type, key) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type as String.Type, key) }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodeIfPresent(type as String.Type, key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type as Double.Type, key) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try decodeIfPresent(type as Double.Type, key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(type as Float.Type, key) }
        func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try decodeIfPresent(type as Float.Type, key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type as Int.Type, key) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodeIfPresent(type as Int.Type, key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(type as Int8.Type, key) }
        func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try decodeIfPresent(type as Int8.Type, key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(type as Int16.Type, key) }
        func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try decodeIfPresent(type as Int16.Type, key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(type as Int32.Type, key) }
        func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try decodeIfPresent(type as Int32.Type, key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type as Int64.Type, key) }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try decodeIfPresent(type as Int64.Type, key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(type as UInt.Type, key) }
        func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try decodeIfPresent(type as UInt.Type, key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(type as UInt8.Type, key) }
        func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try decodeIfPresent(type as UInt8.Type, key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(type as UInt16.Type, key) }
        func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try decodeIfPresent(type as UInt16.Type, key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(type as UInt32.Type, key) }
        func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try decodeIfPresent(type as UInt32.Type, key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(type as UInt64.Type, key) }
        func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try decodeIfPresent(type as UInt64.Type, key) }

        private func decode<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
            let child = SchemaNode()
            node.properties.append((key.stringValue, child, required: true))
            return try child.decode(type)
        }

        private func decodeIfPresent<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
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

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try element(type) }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try element(type) }
        mutating func decode(_ type: String.Type) throws -> String { try element(type) }
        mutating func decode(_ type: Double.Type) throws -> Double { try element(type) }
        mutating func decode(_ type: Float.Type) throws -> Float { try element(type) }
        mutating func decode(_ type: Int.Type) throws -> Int { try element(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try element(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try element(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try element(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try element(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try element(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try element(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try element(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try element(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try element(type) }

        private mutating func element<T: Decodable>(_ type: T.Type) throws -> T {
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
        func decode(_ type: Bool.Type) throws -> Bool { try node.decode(type) }
        func decode(_ type: String.Type) throws -> String { try node.decode(type) }
        func decode(_ type: Double.Type) throws -> Double { try node.decode(type) }
        func decode(_ type: Float.Type) throws -> Float { try node.decode(type) }
        func decode(_ type: Int.Type) throws -> Int { try node.decode(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try node.decode(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try node.decode(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try node.decode(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try node.decode(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try node.decode(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try node.decode(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try node.decode(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try node.decode(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try node.decode(type) }
    }
}
