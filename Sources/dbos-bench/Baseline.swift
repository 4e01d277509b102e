import DBOS
import Foundation
import NIOSSL
import PostgresNIO
import SQLiteNIO

/// The raw commit rate of the database: one single-row INSERT per commit into
/// `bench_baseline(id text primary key, v text)`.
protocol BaselineStore: Sendable {
    /// Inserts (and commits) one new row.
    func insert() async throws
    /// Drops the scratch table where appropriate and closes the connections.
    func close() async
}

/// PostgreSQL baseline: a `PostgresClient` pool, as the DBOS runtime uses, in the `public` schema.
final class PostgresBaseline: BaselineStore {
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    private let logger: Logger

    private init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        runTask = Task { await client.run() }
    }

    static func open(_ location: DatabaseURL.PostgresLocation, poolSize: Int, logger: Logger) async throws -> PostgresBaseline {
        var configuration = try Self.configuration(location)
        configuration.options.maximumConnections = poolSize
        let baseline = PostgresBaseline(client: PostgresClient(configuration: configuration, backgroundLogger: logger), logger: logger)
        do {
            try await baseline.client.query("DROP TABLE IF EXISTS public.bench_baseline", logger: logger)
            try await baseline.client.query("CREATE TABLE public.bench_baseline (id text PRIMARY KEY, v text)", logger: logger)
        } catch {
            await baseline.close()
            throw BenchFailure("PostgreSQL baseline setup failed: \(String(reflecting: error))")
        }
        return baseline
    }

    /// The URL's endpoint, TLS and application name, as the DBOS runtime's pool uses them.
    static func configuration(_ location: DatabaseURL.PostgresLocation) throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socket = location.unixSocketPath {
            configuration = .init(unixSocketPath: socket, username: location.user, password: location.password, database: location.database)
        } else {
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            switch location.certificateVerification {
            case .none: tlsConfiguration.certificateVerification = .none
            case .chain: tlsConfiguration.certificateVerification = .noHostnameVerification
            case .chainAndHostname: tlsConfiguration.certificateVerification = .fullVerification
            }
            if let root = location.sslRootCert, root != "system", location.certificateVerification != .none {
                tlsConfiguration.trustRoots = .file(root)
            }
            if let certificate = location.sslCert, let key = location.sslKey {
                tlsConfiguration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                tlsConfiguration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            }
            let tls: PostgresClient.Configuration.TLS = switch location.tlsUse {
            case .never: .disable
            case .ifAvailable: .prefer(tlsConfiguration)
            case .always: .require(tlsConfiguration)
            }
            configuration = .init(host: location.host, port: location.port, username: location.user,
                                  password: location.password, database: location.database, tls: tls)
        }
        if let timeout = location.connectTimeout { configuration.options.connectTimeout = timeout }
        if !location.applicationName.isEmpty {
            configuration.options.additionalStartupParameters = [("application_name", location.applicationName)]
        }
        return configuration
    }

    func insert() async throws {
        let id = UUID().uuidString
        try await client.query("INSERT INTO public.bench_baseline (id, v) VALUES (\(id), \("v"))", logger: logger)
    }

    /// Runs one statement of the benchmark's own (bulk fills).
    func execute(_ sql: String) async throws {
        try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    /// Committed plus rolled-back transactions in this database so far (`pg_stat_database`).
    func transactionCount() async throws -> Int {
        let rows = try await client.query(
            "SELECT (xact_commit + xact_rollback)::bigint FROM pg_stat_database WHERE datname = current_database()", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        throw BenchFailure("pg_stat_database has no row for this database")
    }

    func close() async {
        _ = try? await client.query("DROP TABLE IF EXISTS public.bench_baseline", logger: logger)
        runTask.cancel()
        await runTask.value
    }
}

/// SQLite baseline: one connection on the same file, WAL and `synchronous=FULL` like the
/// DBOS default. SQLite has one writer, so concurrent inserts all go through this connection.
final class SQLiteBaseline: BaselineStore {
    private let connection: SQLiteConnection

    private init(connection: SQLiteConnection) { self.connection = connection }

    static func open(path: String, logger: Logger) async throws -> SQLiteBaseline {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        do {
            for pragma in ["PRAGMA busy_timeout = 10000", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
                           "DROP TABLE IF EXISTS bench_baseline",
                           "CREATE TABLE bench_baseline (id text PRIMARY KEY, v text)"] {
                _ = try await connection.query(pragma)
            }
        } catch {
            try? await connection.close()
            throw BenchFailure("SQLite baseline setup failed: \(error)")
        }
        return SQLiteBaseline(connection: connection)
    }

    func insert() async throws {
        _ = try await connection.query("INSERT INTO bench_baseline (id, v) VALUES (?, ?)", [.text(UUID().uuidString), .text("v")])
    }

    func close() async {
        _ = try? await connection.query("DROP TABLE IF EXISTS bench_baseline")
        try? await connection.close()
    }
}
