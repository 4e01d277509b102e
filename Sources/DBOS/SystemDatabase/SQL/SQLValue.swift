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
    init(_ value: Bool) { self = .bool(value) }

    var string: String? {
        switch self {
        case .text(let value): return value
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .null: return nil
        }
    }

    var int: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value): return Int64(value)
        case .text(let value): return Int64(value) ?? Double(value).map { Int64($0) }
        case .bool(let value): return value ? 1 : 0
        case .null: return nil
        }
    }

    var double: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        case .text(let value): return Double(value)
        case .bool(let value): return value ? 1 : 0
        case .null: return nil
        }
    }

    var bool: Bool? {
        switch self {
        case .bool(let value): return value
        case .int(let value): return value != 0
        case .text(let value): return value == "t" || value == "true" || value == "1"
        case .double(let value): return value != 0
        case .null: return nil
        }
    }
}

/// One result row, columns by name.
struct SQLRow: Sendable {
    var columns: [String: SQLValue]

    subscript(_ name: String) -> SQLValue { columns[name] ?? .null }
    func string(_ name: String) -> String? { self[name].string }
    func int(_ name: String) -> Int64? { self[name].int }
    func double(_ name: String) -> Double? { self[name].double }
    func bool(_ name: String) -> Bool? { self[name].bool }
}

/// One statement with `$1`-style placeholders and its binds.
struct SQLStatement: Sendable {
    var sql: String
    var binds: [SQLValue]

    init(_ sql: String, _ binds: [SQLValue] = []) {
        self.sql = sql
        self.binds = binds
    }
}
