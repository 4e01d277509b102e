import Foundation

/// One result row: its columns by name, decoded by type.
///
/// A column that is missing, or NULL where the type is not optional, or of the wrong type,
/// throws ``DBOSError/Code/malformedRow`` naming the column: a damaged row is an error, never
/// a silent default.
struct SQLRow: Sendable {
    let columns: [String: SQLValue]
    /// The statement the row was read with, named in error messages.
    private let query: SQLQuery?
    private let sourceName: String?

    init(columns: [String: SQLValue], query: SQLQuery) {
        self.columns = columns
        self.query = query
        self.sourceName = nil
    }

    /// A row of a named source (tests, rows built by hand).
    init(columns: [String: SQLValue], source: String) {
        self.columns = columns
        self.query = nil
        self.sourceName = source
    }

    /// What the row was read from (computed only for an error message).
    var source: String { sourceName ?? query?.source ?? "a row" }

    /// The value of `column` as `T`.
    func decode<T: SQLDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let value = columns[column] else {
            throw DBOSError.malformedRow(table: source, column: column, reason: "is missing")
        }
        do {
            return try T(sqlValue: value)
        } catch let mismatch as SQLTypeMismatch {
            throw DBOSError.malformedRow(table: source, column: column, reason: mismatch.reason)
        }
    }
}

/// A Swift type a column can be read as.
protocol SQLDecodable {
    init(sqlValue: SQLValue) throws
}

/// A column value that does not fit the requested type.
struct SQLTypeMismatch: Error {
    var reason: String
    init(_ value: SQLValue, expected: String) {
        reason = value == .null ? "is NULL, expected \(expected)" : "holds \(value), expected \(expected)"
    }
}

extension String: SQLDecodable {
    init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .text(let value): self = value
        case .int(let value): self = String(value)
        case .double(let value): self = String(value)
        default: throw SQLTypeMismatch(sqlValue, expected: "text")
        }
    }
}

extension Int64: SQLDecodable {
    init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .int(let value): self = value
        case .double(let value) where value.rounded() == value: self = Int64(value)
        case .text(let value) where Int64(value) != nil: self = Int64(value)!   // NUMERIC columns
        default: throw SQLTypeMismatch(sqlValue, expected: "an integer")
        }
    }
}

extension Int: SQLDecodable {
    init(sqlValue: SQLValue) throws { self = Int(try Int64(sqlValue: sqlValue)) }
}

extension Double: SQLDecodable {
    init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .double(let value): self = value
        case .int(let value): self = Double(value)
        case .text(let value) where Double(value) != nil: self = Double(value)!   // NUMERIC columns
        default: throw SQLTypeMismatch(sqlValue, expected: "a number")
        }
    }
}

extension Bool: SQLDecodable {
    /// PostgreSQL booleans, or SQLite's 0/1 integers.
    init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .bool(let value): self = value
        case .int(let value) where value == 0 || value == 1: self = value == 1
        default: throw SQLTypeMismatch(sqlValue, expected: "a boolean")
        }
    }
}

extension Date: SQLDecodable {
    /// Epoch milliseconds.
    init(sqlValue: SQLValue) throws {
        self = Date(epochMilliseconds: try Int64(sqlValue: sqlValue))
    }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    /// NULL is nil; any other value must fit `Wrapped`.
    init(sqlValue: SQLValue) throws {
        self = sqlValue == .null ? nil : try Wrapped(sqlValue: sqlValue)
    }
}
