import Foundation

/// A parsed system database location: a PostgreSQL server or a SQLite file.
public enum DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    /// `postgresql://user:password@host:port/database?sslmode=require`, with libpq's connection
    /// parameters (see ``PostgresLocation``).
    case postgres(PostgresLocation)
    /// `sqlite:///absolute/path.sqlite`, `sqlite://relative.sqlite`, or a plain file path.
    case sqlite(path: String)

    /// The parts of a PostgreSQL URL, read as libpq reads a connection URI.
    ///
    /// The URL is `postgresql://[user[:password]@][host][:port]/database[?param=value&...]`
    /// (`postgres://` too). The host is a name, an IPv4 address, an IPv6 address in brackets, or
    /// a Unix-socket directory: a host starting with `/`, percent-encoded in the authority
    /// (`postgresql://user@%2Ftmp/app`) or given as a parameter (`postgresql:///app?host=/tmp`).
    /// The query parameters are libpq's, and win over the URL's own parts as in libpq: `host`,
    /// `port`, `user`, `password`, `dbname`, `sslmode`, `sslrootcert`, `sslcert`, `sslkey`,
    /// `application_name`, `connect_timeout`.
    /// Any other parameter is rejected (``DBOSError/Code/invalidDatabaseURL``), as libpq
    /// rejects one it does not know: a libpq parameter this library does not implement
    /// (`target_session_attrs`, `channel_binding`, ...) would otherwise be silently ignored.
    public struct PostgresLocation: Sendable, Equatable {
        /// The server's host name or address, or the directory of its Unix socket (a path
        /// starting with `/`, see ``unixSocketPath``).
        public var host: String
        /// The server's port (default 5432); for a Unix socket, the suffix of the socket file.
        public var port: Int
        /// The user to connect as (default `postgres`).
        public var user: String
        /// The password, when the URL has one. Never printed: ``DatabaseURL/description`` and
        /// every error leave it out.
        public var password: String?
        /// The database (created when missing, see ``DBOS``'s launch).
        public var database: String
        /// How the connection uses TLS (`sslmode`, default ``SSLMode/prefer`` as in libpq).
        public var sslMode: SSLMode
        /// The file of the certificate authorities that verify the server's certificate
        /// (`sslrootcert`), or `system` for the system's trust store (which, as in libpq 16,
        /// makes ``SSLMode/verifyFull`` the default and refuses a weaker mode). Without it,
        /// ``SSLMode/verifyCA`` and ``SSLMode/verifyFull`` use the system's trust store: libpq's
        /// default file, `~/.postgresql/root.crt`, is not read.
        public var sslRootCert: String?
        /// The client certificate file presented to the server (`sslcert`, PEM), given with
        /// ``sslKey`` (libpq's default `~/.postgresql/postgresql.crt` is not read). It is read
        /// when the runtime is created; a file that cannot be read fails the first connection.
        public var sslCert: String?
        /// The private key file of ``sslCert`` (`sslkey`, PEM).
        public var sslKey: String?
        /// The name the server shows for the connections in `pg_stat_activity`
        /// (`application_name`, default `dbos-swift`; empty sends none).
        public var applicationName: String
        /// How long opening a connection may take (`connect_timeout` in seconds, default 10 as
        /// in DBOS Python); `nil` waits without limit (`connect_timeout=0`, as in libpq).
        public var connectTimeout: Duration?

        init(host: String, port: Int = 5432, user: String = "postgres", password: String? = nil, database: String,
             sslMode: SSLMode = .prefer, sslRootCert: String? = nil, sslCert: String? = nil, sslKey: String? = nil,
             applicationName: String = Self.defaultApplicationName, connectTimeout: Duration? = .seconds(10)) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.database = database
            self.sslMode = sslMode
            self.sslRootCert = sslRootCert
            self.sslCert = sslCert
            self.sslKey = sslKey
            self.applicationName = applicationName
            self.connectTimeout = connectTimeout
        }

        /// The `application_name` sent when the URL names none.
        public static let defaultApplicationName = "dbos-swift"
    }

    /// Parses a system database URL. Plain paths (and `file:` / `sqlite:` URLs) are SQLite files.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw DBOSError.invalidDatabaseURL(url: text, reason: "the URL is empty") }
        if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(parsing: trimmed))
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

    /// The URL with any password (in the authority or a `password` parameter) replaced by
    /// `***`, for logs and errors.
    static func redacted(_ text: String) -> String {
        var text = text
        if let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://"),
           let colon = text[scheme.upperBound..<at].firstIndex(of: ":") {
            text.replaceSubrange(text.index(after: colon)..<at, with: "***")
        }
        return text.replacing(/([?&]password=)[^&#]*/) { "\($0.output.1)***" }
    }

    /// The location without its password or connection parameters: `postgresql://user@host:port/database`
    /// (a socket directory percent-encoded as the host), or `sqlite://path`.
    public var description: String {
        switch self {
        case .postgres(let location):
            let host: String
            if location.unixSocketPath != nil {
                host = location.host.addingPercentEncoding(withAllowedCharacters: .urlHostAllowed.subtracting(["/"])) ?? location.host
            } else {
                host = location.host.contains(":") ? "[\(location.host)]" : location.host
            }
            return "postgresql://\(location.user)@\(host):\(location.port)/\(location.database)"
        case .sqlite(let path):
            return "sqlite://\(path)"
        }
    }
}
