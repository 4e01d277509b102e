import Foundation

extension DatabaseURL {
    /// libpq's `sslmode`: whether a PostgreSQL connection uses TLS and what it checks of the
    /// server's certificate. postgres-nio cannot try a plain connection first, so
    /// ``allow`` behaves as ``prefer``. TLS is never used over a Unix socket (libpq ignores
    /// `sslmode` there too).
    public enum SSLMode: String, Sendable, CaseIterable {
        /// No TLS.
        case disable
        /// libpq tries a plain connection first, then TLS; here the same as ``prefer``.
        case allow
        /// TLS when the server offers it, a plain connection when it does not; the server's
        /// certificate is not verified (as in libpq). The default: libpq's, and so DBOS
        /// Python's (SQLAlchemy and psycopg pass the URL to libpq and DBOS sets no sslmode).
        case prefer
        /// TLS or no connection. The certificate is not verified, unless
        /// ``PostgresLocation/sslRootCert`` is given: then its chain is, as with ``verifyCA``
        /// (libpq does the same when a root certificate file exists).
        case require
        /// TLS, with the server's certificate chain verified (not its host name).
        case verifyCA = "verify-ca"
        /// TLS, with the server's certificate chain verified and its name (or IP address)
        /// matching the host.
        case verifyFull = "verify-full"
    }

    /// Whether a connection uses TLS (from ``SSLMode`` and the kind of host).
    public enum TLSUse: Sendable, Equatable {
        /// A plain connection (``SSLMode/disable``, or a Unix socket).
        case never
        /// TLS when the server offers it (``SSLMode/allow``, ``SSLMode/prefer``).
        case ifAvailable
        /// TLS or no connection (``SSLMode/require`` and stricter).
        case always
    }

    /// What a TLS connection checks of the server's certificate.
    public enum CertificateVerification: Sendable, Equatable {
        /// Nothing: the connection is encrypted but the server is not authenticated.
        case none
        /// The certificate chain, against ``PostgresLocation/sslRootCert`` or the system's trust store.
        case chain
        /// The chain, and the host name (or IP address) against the certificate's names.
        case chainAndHostname
    }
}

extension DatabaseURL.PostgresLocation {
    /// The query parameters a URL may carry: libpq's names.
    static let parameters = [
        "host", "port", "user", "password", "dbname", "sslmode", "sslrootcert", "sslcert", "sslkey",
        "application_name", "connect_timeout",
    ]

    /// The path of the server's Unix socket when ``host`` is a socket directory (starts with
    /// `/`): `<host>/.s.PGSQL.<port>`, as libpq builds it; `nil` for a TCP host.
    public var unixSocketPath: String? {
        guard host.hasPrefix("/") else { return nil }
        return (host.hasSuffix("/") ? String(host.dropLast()) : host) + "/.s.PGSQL.\(port)"
    }

    /// Whether the connection uses TLS: from ``sslMode``, and never over a Unix socket.
    public var tlsUse: DatabaseURL.TLSUse {
        if unixSocketPath != nil { return .never }
        switch sslMode {
        case .disable: return .never
        case .allow, .prefer: return .ifAvailable
        case .require, .verifyCA, .verifyFull: return .always
        }
    }

    /// What the connection checks of the server's certificate (see ``DatabaseURL/SSLMode``).
    public var certificateVerification: DatabaseURL.CertificateVerification {
        guard tlsUse == .always else { return .none }
        switch sslMode {
        case .verifyFull: return .chainAndHostname
        case .verifyCA: return .chain
        case .require: return sslRootCert == nil ? .none : .chain
        case .disable, .allow, .prefer: return .none
        }
    }

    /// Whether the connection must use TLS (``tlsUse`` is ``DatabaseURL/TLSUse/always``).
    public var requireTLS: Bool { tlsUse == .always }

    /// Parses a `postgresql://` or `postgres://` URL, as libpq does (see the type's documentation).
    init(parsing text: String) throws {
        func invalid(_ reason: String) -> DBOSError {
            DBOSError.invalidDatabaseURL(url: DatabaseURL.redacted(text), reason: reason)
        }
        guard let components = URLComponents(string: text) else { throw invalid("not a valid URL") }
        if components.port == nil, let authority = text.split(separator: "/").dropFirst().first, authority.hasSuffix(":") {
            throw invalid("empty port")
        }
        // An IPv6 address keeps its brackets in URLComponents; a socket directory comes decoded.
        let authorityHost = components.host.map { $0.hasPrefix("[") && $0.hasSuffix("]") ? String($0.dropFirst().dropLast()) : $0 } ?? ""
        let path = components.percentEncodedPath.drop { $0 == "/" }
        guard !path.contains("/") else { throw invalid("no database name in the path") }
        self.init(host: authorityHost, port: components.port ?? 5432, user: components.user ?? "postgres",
                  password: components.password, database: path.removingPercentEncoding ?? String(path))
        // Query parameters win over the URL's parts, as in libpq (and a repeated one's last value).
        var sslModeGiven = false
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "host": host = value
            case "port":
                guard let number = Int(value) else { throw invalid("invalid port '\(value)'") }
                port = number
            case "user": user = value
            case "password": password = value
            case "dbname": database = value
            case "sslmode":
                guard let mode = DatabaseURL.SSLMode(rawValue: value) else {
                    throw invalid("invalid sslmode '\(value)' (use \(DatabaseURL.SSLMode.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                sslMode = mode
                sslModeGiven = true
            case "sslrootcert": sslRootCert = value.isEmpty ? nil : value
            case "sslcert": sslCert = value.isEmpty ? nil : value
            case "sslkey": sslKey = value.isEmpty ? nil : value
            case "application_name": applicationName = value
            case "connect_timeout":
                guard let seconds = Int(value) else { throw invalid("invalid connect_timeout '\(value)' (whole seconds)") }
                connectTimeout = seconds > 0 ? .seconds(seconds) : nil
            default:
                throw invalid("invalid URI query parameter '\(item.name)' (supported: \(Self.parameters.joined(separator: ", ")))")
            }
        }
        guard !host.isEmpty else { throw invalid("no host") }
        guard !host.contains(",") else { throw invalid("several hosts are not supported") }
        guard (1...65535).contains(port) else { throw invalid("port \(port) is out of range") }
        guard !database.isEmpty else { throw invalid("no database name in the path") }
        guard (sslCert == nil) == (sslKey == nil) else { throw invalid("sslcert and sslkey must be given together") }
        // As libpq 16: the system's trust store is for verify-full only (it makes that the default).
        if sslRootCert == "system" {
            if !sslModeGiven { sslMode = .verifyFull }
            guard sslMode == .verifyFull else {
                throw invalid("sslmode '\(sslMode.rawValue)' may not be used with sslrootcert=system (use verify-full)")
            }
        }
    }
}
