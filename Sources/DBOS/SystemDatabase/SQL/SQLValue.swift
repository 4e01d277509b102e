/// A value bound to, or read from, a SQL statement; the common ground of both backends.
enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case bool(Bool)

    init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    init(_ value: Int64?) { self = value.map { .int($0) } ?? .null }
    init(_ value: Int?) { self = value.map { .int(Int64($0)) } ?? .null }
}

extension SQLValue {
    /// A JSON value as a column value: whole numbers as integers, arrays and objects as JSON text.
    init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let number): self = number.rounded() == number && abs(number) < 9.0e15 ? .int(Int64(number)) : .double(number)
        case .string(let text): self = .text(text)
        case .array, .object: self = .text((try? PortableJSON.encode(json)) ?? "null")
        }
    }

    /// The column value as JSON.
    var json: JSONValue {
        switch self {
        case .null: .null
        case .int(let number): .number(Double(number))
        case .double(let number): .number(number)
        case .bool(let flag): .bool(flag)
        case .text(let text): .string(text)
        }
    }
}

