import NIOCore
import NIOSSL
import PostgresNIO

/// The postgres-nio configuration of a ``DatabaseURL/PostgresLocation``: endpoint (TCP or Unix
/// socket), TLS, `application_name` and connect timeout, in one place for every connection the
/// driver makes: the pool, the change feed's listener and the maintenance connection.
struct PostgresConnectionSettings: Sendable {
    let location: DatabaseURL.PostgresLocation

    /// The TLS configuration; `nil` when TLS is never used.
    let tlsConfiguration: TLSConfiguration?

    /// Why the client certificate (`sslcert`, `sslkey`) could not be loaded: reported by every
    /// connection (so at launch, by the first), not by the runtime's creation.
    private let tlsSetupFailure: String?

    /// Reads the client certificate and key when the URL names them (the only files read
    /// here; NIOSSL reads `sslrootcert` when a connection's TLS context is made).
    init(_ location: DatabaseURL.PostgresLocation) {
        self.location = location
        guard location.tlsUse != .never else {
            tlsConfiguration = nil
            tlsSetupFailure = nil
            return
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        switch location.certificateVerification {
        case .none: tls.certificateVerification = .none
        case .chain: tls.certificateVerification = .noHostnameVerification
        case .chainAndHostname: tls.certificateVerification = .fullVerification
        }
        if let root = location.sslRootCert, root != "system", location.certificateVerification != .none {
            tls.trustRoots = .file(root)
        }
        var failure: String?
        if let certificate = location.sslCert, let key = location.sslKey {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
            } catch {
                failure = "cannot load sslcert '\(certificate)': \(error)"
            }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            } catch {
                failure = failure ?? "cannot load sslkey '\(key)': \(error)"
            }
        }
        tlsConfiguration = tls
        tlsSetupFailure = failure
    }

    /// The error of a connection that cannot be made for its TLS settings.
    private func tlsSetupError(_ reason: String) -> DBOSError {
        DBOSError.databaseUnreachable(url: DatabaseURL.postgres(location).description, reason: "TLS setup failed: \(reason)")
    }

    /// postgres-nio always applies a connect timeout: `connect_timeout=0` (no limit) is a year.
    private var connectTimeout: Duration { location.connectTimeout ?? .seconds(365 * 24 * 3600) }

    private var startupParameters: [(String, String)] {
        location.applicationName.isEmpty ? [] : [("application_name", location.applicationName)]
    }

    /// The pool's configuration.
    func clientConfiguration(maxConnections: Int) -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socket = location.unixSocketPath {
            configuration = PostgresClient.Configuration(
                unixSocketPath: socket, username: location.user, password: location.password, database: location.database)
        } else {
            let tls: PostgresClient.Configuration.TLS = switch (location.tlsUse, tlsConfiguration) {
            case (.ifAvailable, let tlsConfiguration?): .prefer(tlsConfiguration)
            case (.always, let tlsConfiguration?): .require(tlsConfiguration)
            default: .disable
            }
            configuration = PostgresClient.Configuration(
                host: location.host, port: location.port, username: location.user,
                password: location.password, database: location.database, tls: tls)
        }
        configuration.options.connectTimeout = connectTimeout
        configuration.options.additionalStartupParameters = startupParameters
        configuration.options.maximumConnections = maxConnections
        configuration.options.minimumConnections = 0
        return configuration
    }

    /// A single connection's configuration, to `database`. Makes its TLS context (reading
    /// `sslrootcert`), so a TLS file that is missing or malformed is reported here.
    func connectionConfiguration(database: String) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socket = location.unixSocketPath {
            configuration = PostgresConnection.Configuration(
                unixSocketPath: socket, username: location.user, password: location.password, database: database)
        } else {
            var tls = PostgresConnection.Configuration.TLS.disable
            if let tlsConfiguration {
                if let tlsSetupFailure { throw tlsSetupError(tlsSetupFailure) }
                let context: NIOSSLContext
                do {
                    context = try NIOSSLContext(configuration: tlsConfiguration)
                } catch {
                    // The client certificate is already loaded: the file read here is the CA's.
                    if case .file(let root)? = tlsConfiguration.trustRoots { throw tlsSetupError("cannot load sslrootcert '\(root)': \(error)") }
                    throw tlsSetupError("\(error)")
                }
                tls = location.tlsUse == .always ? .require(context) : .prefer(context)
            }
            configuration = PostgresConnection.Configuration(
                host: location.host, port: location.port, username: location.user,
                password: location.password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(connectTimeout.components.seconds)
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }
}
