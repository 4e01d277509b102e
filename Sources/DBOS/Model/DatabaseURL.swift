import Foundation

/// A parsed system database location: a PostgreSQL server or a SQLite file.
public enum DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    /// `postgresql://user:password@host:port/database?sslmode=disable`
    case postgres(PostgresLocation)
    /// `sqlite:///absolute/path.sqlite`, `sqlite://relative.sqlite`, or a plain file path.
    case sqlite(path: String)

    /// The parts of a PostgreSQL URL.
    public struct PostgresLocation: Sendable, Equatable {
        /// The server's host name or address.
        public var host: String
        /// The server's port (default 5432).
        public var port: Int
        /// The user to connect as (default `postgres`).
        public var user: String
        /// The password, when the URL has one.
        public var password: String?
        /// The database (created when missing).
        public var database: String
        /// Whether the connection must use TLS (`sslmode=require` and stricter).
        public var requireTLS: Bool
    }

    /// Parses a system database URL. Plain paths (and `file:` / `sqlite:` URLs) are SQLite files.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw DBOSError.invalidDatabaseURL(url: text, reason: "the URL is empty") }
        if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            self = .postgres(try Self.parsePostgres(trimmed))
        } else if trimmed.hasPrefix("sqlite:") {
            var path = String(trimmed.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            if let query = path.firstIndex(of: "?") { path = String(path[..<query]) }
            guard !path.isEmpty else { throw DBOSError.invalidDatabaseURL(url: text, reason: "no SQLite file path") }
            self = .sqlite(path: path)
        } else if trimmed.hasPrefix("file:") {
            var path = String(trimmed.dropFirst("file:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            self = .sqlite(path: path)
        } else if let scheme = trimmed.range(of: "://") {
            throw DBOSError.invalidDatabaseURL(
                url: text, reason: "unsupported scheme '\(trimmed[..<scheme.lowerBound])' (use postgresql://, sqlite:// or a file path)")
        } else {
            self = .sqlite(path: trimmed)
        }
    }

    private static func parsePostgres(_ text: String) throws -> PostgresLocation {
        guard let components = URLComponents(string: text) else {
            throw DBOSError.invalidDatabaseURL(url: redacted(text), reason: "not a valid URL")
        }
        guard let host = components.host, !host.isEmpty else {
            throw DBOSError.invalidDatabaseURL(url: redacted(text), reason: "no host")
        }
        if components.port == nil, let authority = text.split(separator: "/").dropFirst().first, authority.hasSuffix(":") {
            throw DBOSError.invalidDatabaseURL(url: redacted(text), reason: "empty port")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            throw DBOSError.invalidDatabaseURL(url: redacted(text), reason: "port \(port) is out of range")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw DBOSError.invalidDatabaseURL(url: redacted(text), reason: "no database name in the path")
        }
        let sslmode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        return PostgresLocation(
            host: host, port: port, user: components.user ?? "postgres",
            password: components.password, database: database,
            requireTLS: ["require", "verify-ca", "verify-full"].contains(sslmode))
    }

    /// The URL with any password replaced by `***`, for logs and errors.
    static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://"),
              let colon = text[scheme.upperBound..<at].firstIndex(of: ":") else { return text }
        return text.replacingCharacters(in: text.index(after: colon)..<at, with: "***")
    }

    public var description: String {
        switch self {
        case .postgres(let location):
            return "postgresql://\(location.user)@\(location.host):\(location.port)/\(location.database)"
        case .sqlite(let path):
            return "sqlite://\(path)"
        }
    }
}
