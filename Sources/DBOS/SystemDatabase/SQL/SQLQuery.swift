import Foundation

/// A SQL statement whose interpolated values are binds.
///
/// As postgres-nio's `PostgresQuery`: every interpolated value becomes a placeholder and a
/// bind, so no code numbers placeholders and no value is ever part of the SQL text. Only
/// ``SQLFragment``s (table names, column lists, dialect fragments: text this library wrote)
/// and other queries are spliced in as SQL.
///
/// ```swift
/// let query: SQLQuery = "SELECT status FROM \(tables.status) WHERE workflow_uuid = \(workflowID)"
/// ```
struct SQLQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// SQL text and bind positions, in order.
    private(set) var parts: [Part]
    /// The values of the placeholders, in order.
    private(set) var binds: [SQLValue]

    enum Part: Sendable, Equatable {
        case sql(String)
        /// The placeholder of `binds[index]`.
        case bind(Int)
    }

    init(stringLiteral value: String) {
        parts = [.sql(value)]
        binds = []
    }

    init(stringInterpolation: StringInterpolation) {
        parts = stringInterpolation.parts
        binds = stringInterpolation.binds
    }

    /// The SQL text with each placeholder written by `placeholder` (given its 1-based number).
    func sql(placeholder: (Int) -> String) -> String {
        var text = ""
        for part in parts {
            switch part {
            case .sql(let sql): text += sql
            case .bind(let index): text += placeholder(index + 1)
            }
        }
        return text
    }

    /// The query with `transform` applied to its SQL text, never to its binds.
    func mappingText(_ transform: (String) -> String) -> SQLQuery {
        var result = self
        result.parts = parts.map { part in
            if case .sql(let text) = part { return .sql(transform(text)) }
            return part
        }
        return result
    }

    /// PostgreSQL's form (`$1`), for logs and errors.
    var description: String { sql { "$" + String($0) } }

    /// Appends another query (its binds follow this one's).
    static func + (lhs: SQLQuery, rhs: SQLQuery) -> SQLQuery {
        var result = lhs
        result.append(rhs)
        return result
    }

    mutating func append(_ other: SQLQuery) {
        let offset = binds.count
        parts += other.parts.map { part in
            if case .bind(let index) = part { return .bind(index + offset) }
            return part
        }
        binds += other.binds
    }

    /// Queries joined by `separator` (e.g. conditions by `AND`).
    static func joined(_ queries: [SQLQuery], separator: String) -> SQLQuery {
        var result: SQLQuery = ""
        for (index, query) in queries.enumerated() {
            if index > 0 { result.append(SQLQuery(stringLiteral: separator)) }
            result.append(query)
        }
        return result
    }

    struct StringInterpolation: StringInterpolationProtocol {
        fileprivate(set) var parts: [Part] = []
        fileprivate(set) var binds: [SQLValue] = []

        init(literalCapacity: Int, interpolationCount: Int) {
            parts.reserveCapacity(interpolationCount * 2 + 1)
            binds.reserveCapacity(interpolationCount)
        }

        mutating func appendLiteral(_ literal: String) {
            if !literal.isEmpty { parts.append(.sql(literal)) }
        }

        /// A value: becomes a placeholder.
        mutating func appendInterpolation(_ value: SQLValue) {
            parts.append(.bind(binds.count))
            binds.append(value)
        }

        mutating func appendInterpolation(_ value: String) { appendInterpolation(SQLValue.text(value)) }
        mutating func appendInterpolation(_ value: String?) { appendInterpolation(SQLValue(value)) }
        mutating func appendInterpolation(_ value: Int) { appendInterpolation(SQLValue.int(Int64(value))) }
        mutating func appendInterpolation(_ value: Int?) { appendInterpolation(SQLValue(value)) }
        mutating func appendInterpolation(_ value: Int64) { appendInterpolation(SQLValue.int(value)) }
        mutating func appendInterpolation(_ value: Int64?) { appendInterpolation(SQLValue(value)) }
        mutating func appendInterpolation(_ value: Double) { appendInterpolation(SQLValue.double(value)) }
        mutating func appendInterpolation(_ value: Double?) { appendInterpolation(value.map(SQLValue.double) ?? .null) }
        mutating func appendInterpolation(_ value: Bool) { appendInterpolation(SQLValue.bool(value)) }
        /// A time, stored as epoch milliseconds.
        mutating func appendInterpolation(_ value: Date) { appendInterpolation(SQLValue.int(value.epochMilliseconds)) }
        mutating func appendInterpolation(_ value: Date?) { appendInterpolation(SQLValue(value?.epochMilliseconds)) }

        /// A comma-separated list of values, one placeholder each (for `IN (...)`).
        mutating func appendInterpolation(list values: some Collection<String>) {
            for (index, value) in values.enumerated() {
                if index > 0 { parts.append(.sql(", ")) }
                appendInterpolation(value)
            }
        }

        /// SQL text this library wrote: a table, a column list, a dialect fragment.
        mutating func appendInterpolation(_ fragment: SQLFragment) {
            parts.append(.sql(fragment.text))
        }

        /// Another query, spliced in with its binds.
        mutating func appendInterpolation(_ query: SQLQuery) {
            let offset = binds.count
            for part in query.parts {
                if case .bind(let index) = part { parts.append(.bind(index + offset)) } else { parts.append(part) }
            }
            binds += query.binds
        }
    }
}

/// Trusted SQL text written by this library (never built from a value): table names, column
/// lists and the fragments that differ between dialects.
struct SQLFragment: Sendable, Equatable, ExpressibleByStringLiteral {
    let text: String
    init(stringLiteral value: StaticString) { text = "\(value)" }
    /// A fragment assembled from other fragments (e.g. a schema-qualified table).
    init(_ parts: SQLFragment...) { text = parts.map(\.text).joined() }
    /// Fragments joined by `separator` (e.g. a column list).
    init(joining parts: [SQLFragment], separator: SQLFragment) { text = parts.map(\.text).joined(separator: separator.text) }
    /// A quoted SQL identifier (schema or database name from the configuration): `"name"`.
    init(identifier name: String) { text = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
