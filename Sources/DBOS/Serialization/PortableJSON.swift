import Foundation

/// The `portable_json` codec shared by every DBOS language.
///
/// Values are compact JSON. Dates are RFC 3339 UTC strings with milliseconds and a `Z`
/// suffix. A workflow's input is `{"positionalArgs":[...],"namedArgs":{}}`.
public enum PortableJSON {
    /// The name written to the `serialization` column of every payload this codec writes.
    public static let formatName = "portable_json"

    /// Encodes one value as compact portable JSON text.
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        do {
            let data = try makeEncoder().encode(value)
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw DBOSError.encodingFailed(type: "\(T.self)", reason: "\(error)")
        }
    }

    /// Decodes portable JSON text into `T`. `what` names the payload in the error message.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String, what: String) throws -> T {
        do {
            return try makeDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw DBOSError.decodingFailed(what: what, type: "\(T.self)", reason: describe(error))
        }
    }

    /// Decodes a stored payload: throws ``DBOSError/Code/unsupportedSerialization`` (naming the
    /// format) unless it is portable JSON, then decodes it as `T`. A missing format is read as
    /// portable JSON: rows written by DBOS's SQL functions leave none on some tables.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String, serialization: String?, what: String) throws -> T {
        try requireReadable(serialization, what: what)
        return try decode(type, from: text, what: what)
    }

    /// Throws ``DBOSError/Code/unsupportedSerialization`` unless `serialization` is portable JSON (or absent).
    static func requireReadable(_ serialization: String?, what: String) throws {
        if let serialization, serialization != formatName {
            throw DBOSError.unsupportedSerialization(format: serialization, what: what)
        }
    }

    /// An empty workflow input (no arguments).
    static let noArguments = "{\"positionalArgs\":[],\"namedArgs\":{}}"

    /// Encodes positional arguments as a DBOS workflow input object.
    public static func encodeArguments<each A: Encodable>(_ arguments: repeat each A) throws -> String {
        var parts: [String] = []
        for argument in repeat each arguments {
            parts.append(try encode(argument))
        }
        return Self.arguments(encoded: parts)
    }

    /// A workflow input object from already-encoded positional arguments.
    static func arguments(encoded parts: [String]) -> String {
        "{\"positionalArgs\":[" + parts.joined(separator: ",") + "],\"namedArgs\":{}}"
    }

    /// Decodes a DBOS workflow input object into the given positional argument types.
    static func decodeArguments<each A: Decodable>(
        _ types: repeat (each A).Type, from text: String, workflowName: String
    ) throws -> (repeat each A) {
        let envelope = try decode(ArgumentsEnvelope<repeat each A>.self, from: text,
                                  what: "inputs of workflow '\(workflowName)'")
        return envelope.positionalArgs.values
    }

    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(from: date))
        }
        return encoder
    }

    static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            if let millis = try? container.decode(Double.self) { return Date(timeIntervalSince1970: millis / 1000) }
            let text = try container.decode(String.self)
            guard let date = RFC3339.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 date: \(text)")
            }
            return date
        }
        return decoder
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch(let type, let context):
            return "expected \(type) at \(path(context.codingPath)): \(context.debugDescription)"
        case DecodingError.valueNotFound(let type, let context):
            return "missing \(type) at \(path(context.codingPath))"
        case DecodingError.keyNotFound(let key, let context):
            return "missing key '\(key.stringValue)' at \(path(context.codingPath))"
        case DecodingError.dataCorrupted(let context):
            return "malformed data at \(path(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.isEmpty ? "top level" : codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

/// `{"positionalArgs":[...],"namedArgs":{...}}` decoded into a parameter pack.
struct ArgumentsEnvelope<each A: Decodable>: Decodable {
    let positionalArgs: PositionalArguments<repeat each A>
}

/// A JSON array decoded element by element into a parameter pack.
struct PositionalArguments<each A: Decodable>: Decodable {
    let values: (repeat each A)

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        let decoded = (repeat try container.decode((each A).self))
        if let count = container.count, count != container.currentIndex {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected \(container.currentIndex) positional arguments, found \(count)")
        }
        values = decoded
    }
}

/// RFC 3339 date text with milliseconds, always UTC with `Z`.
enum RFC3339 {
    static func string(from date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(millis.floorDiv(1000))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let ms = Int(millis - Int64(seconds) * 1000)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ms), 3))Z"
    }

    static func date(from text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)) {
            return date
        }
        return try? Date(text, strategy: .iso8601)
    }
}

extension Int64 {
    /// Division rounding toward negative infinity.
    func floorDiv(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
