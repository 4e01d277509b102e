import DBOSTestSupport
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing
@testable import DBOS

/// PostgreSQL URLs read as libpq reads them (sslmode, sslrootcert, client certificates, Unix
/// sockets, application_name, connect_timeout), checked by parsing and by real connections; and a
/// system database that is created through the `postgres` maintenance database only when missing.
@Suite(.timeLimit(.minutes(5))) struct PostgresConnectionTests {
    // MARK: Parsing

    typealias SSLMode = DatabaseURL.SSLMode
    typealias TLSUse = DatabaseURL.TLSUse
    typealias Verification = DatabaseURL.CertificateVerification

    static let sslModes: [(query: String, mode: SSLMode, use: TLSUse, verification: Verification)] = [
        ("", .prefer, .ifAvailable, .none),
        ("?sslmode=disable", .disable, .never, .none),
        ("?sslmode=allow", .allow, .ifAvailable, .none),
        ("?sslmode=prefer", .prefer, .ifAvailable, .none),
        ("?sslmode=prefer&sslrootcert=/etc/ca.pem", .prefer, .ifAvailable, .none),
        ("?sslmode=require", .require, .always, .none),
        ("?sslmode=require&sslrootcert=/etc/ca.pem", .require, .always, .chain),
        ("?sslmode=verify-ca", .verifyCA, .always, .chain),
        ("?sslmode=verify-full", .verifyFull, .always, .chainAndHostname),
        ("?sslrootcert=system", .verifyFull, .always, .chainAndHostname),
    ]

    @Test(arguments: sslModes)
    func sslModesFollowLibpq(query: String, mode: SSLMode, use: TLSUse, verification: Verification) throws {
        let location = try Self.location("postgresql://app@db.example.com:5433/app" + query)
        #expect(location.sslMode == mode)
        #expect(location.tlsUse == use)
        #expect(location.certificateVerification == verification)
        #expect(location.requireTLS == (use == .always))
        guard location.sslRootCert == nil || location.sslRootCert == "system" else { return }   // no such file here
        // What postgres-nio is given for the single connections (change feed, maintenance).
        let configuration = try PostgresConnectionSettings(location).connectionConfiguration(database: "app")
        #expect(configuration.tls.isAllowed == (use != .never))
        #expect(configuration.tls.isEnforced == (use == .always))
        #expect(configuration.host == "db.example.com" && configuration.port == 5433)
    }

    @Test(arguments: [
        ("?sslmode=verify", "invalid sslmode 'verify' (use disable, allow, prefer, require, verify-ca, verify-full)"),
        ("?target_session_attrs=any", "invalid URI query parameter 'target_session_attrs' (supported: host, port, user,"),
        ("?connect_timeout=soon", "invalid connect_timeout 'soon'"),
        ("?port=x", "invalid port 'x'"),
        ("?port=70000", "port 70000 is out of range"),
        ("?host=a,b", "several hosts are not supported"),
        ("?sslcert=/etc/client.pem", "sslcert and sslkey must be given together"),
        ("?sslmode=require&sslrootcert=system", "sslmode 'require' may not be used with sslrootcert=system (use verify-full)"),
    ])
    func unknownModesAndParametersAreRejected(query: String, reason: String) {
        do {
            _ = try DatabaseURL(parsing: "postgresql://app@host/app" + query)
            Issue.record("expected \(query) to be rejected")
        } catch let error as DBOSError {
            #expect(error.code == .invalidDatabaseURL, "\(error)")
            #expect(error.description.contains(reason), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// libpq's two spellings of a Unix socket; TLS is never used over one (libpq ignores sslmode there).
    @Test(arguments: [
        "postgresql://app@%2Fvar%2Frun%2Fpostgresql:5433/app?sslmode=require",
        "postgresql:///app?host=/var/run/postgresql&port=5433&user=app&sslmode=require",
    ])
    func aHostStartingWithASlashIsASocketDirectory(url: String) throws {
        let location = try Self.location(url)
        #expect(location.host == "/var/run/postgresql")
        #expect(location.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5433")
        #expect(location.tlsUse == .never)
        #expect(location.database == "app" && location.user == "app")
        #expect(DatabaseURL.postgres(location).description == "postgresql://app@%2Fvar%2Frun%2Fpostgresql:5433/app")
        let settings = PostgresConnectionSettings(location)
        #expect(settings.clientConfiguration(maxConnections: 4).unixSocketPath == "/var/run/postgresql/.s.PGSQL.5433")
        let single = try settings.connectionConfiguration(database: "other")
        #expect(single.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5433")
        #expect(!single.tls.isAllowed)
    }

    @Test func applicationNameTimeoutAndParametersOverTheURL() throws {
        let defaults = try Self.location("postgresql://app@host/app")
        #expect(defaults.applicationName == "dbos-swift")
        #expect(defaults.connectTimeout == .seconds(10))
        #expect(defaults.port == 5432)
        let given = try Self.location(
            "postgresql://a:b@h1:1/d1?host=h2&port=2&user=u&password=p&dbname=d2&application_name=billing&connect_timeout=3")
        #expect(given == DatabaseURL.PostgresLocation(
            host: "h2", port: 2, user: "u", password: "p", database: "d2", applicationName: "billing", connectTimeout: .seconds(3)))
        #expect(try Self.location("postgresql://app@host/app?connect_timeout=0").connectTimeout == nil)

        let pool = PostgresConnectionSettings(given).clientConfiguration(maxConnections: 4)
        #expect(pool.host == "h2" && pool.port == 2 && pool.username == "u" && pool.database == "d2")
        #expect(pool.options.additionalStartupParameters.map { "\($0.0)=\($0.1)" } == ["application_name=billing"])
        #expect(pool.options.connectTimeout == .seconds(3))
        #expect(pool.options.maximumConnections == 4)
        let single = try PostgresConnectionSettings(given).connectionConfiguration(database: "postgres")
        #expect(single.options.additionalStartupParameters.map { "\($0.0)=\($0.1)" } == ["application_name=billing"])
        #expect(single.options.connectTimeout == .seconds(3))
        #expect(single.database == "postgres")

        let ipv6 = try Self.location("postgresql://app@[::1]:5433/app")
        #expect(ipv6.host == "::1")
        #expect(DatabaseURL.postgres(ipv6).description == "postgresql://app@[::1]:5433/app")
    }

    @Test func passwordsStayOutOfErrorsAndDescriptions() throws {
        do {
            _ = try DatabaseURL(parsing: "postgresql://app:s3cret@host/app?password=s3cret2&sslmode=bogus")
            Issue.record("expected a rejection")
        } catch let error as DBOSError {
            #expect(error.code == .invalidDatabaseURL)
            #expect(!error.description.contains("s3cret"), "\(error)")
            #expect(error.description.contains("'postgresql://app:***@host/app?password=***&sslmode=bogus'"), "\(error)")
        }
        let location = try Self.location("postgresql://app:s3cret@host/app?password=s3cret2")
        #expect(location.password == "s3cret2")
        #expect(DatabaseURL.postgres(location).description == "postgresql://app@host:5432/app")
    }

    // MARK: Real connections to the shared test server (no TLS)

    static let echo = Workflow("echo") { (text: String) async throws -> String in text }

    /// `prefer` and `allow` (and the default) fall back to a plain connection on a server without TLS.
    @Test(.enabled(if: Backend.postgresBaseURL != nil, "DBOS_TEST_DATABASE_URL not set"), arguments: ["prefer", "allow", "disable", nil])
    func withoutTLSOnTheServerPreferAndAllowConnectPlainly(sslmode: String?) async throws {
        let (url, _) = Self.freshURL(sslmode.map { ["sslmode": $0] } ?? [:])
        try await withRuntime(url, Self.echo) { dbos in
            #expect(try await dbos.run(Self.echo, "plain", options: WorkflowOptions(workflowID: "plain")) == "plain")
            #expect(try await dbos.getWorkflowStatus("plain")?.state == .success)
            let rows = try await dbos.rawSQL("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            #expect(rows.first?.bool("ssl") == false)
        }
    }

    @Test(.enabled(if: Backend.postgresBaseURL != nil, "DBOS_TEST_DATABASE_URL not set"))
    func requireFailsAtOnceWithoutTLSOnTheServer() async throws {
        // With a ten-minute connect timeout, "at once" (well inside the bound below, even on a loaded
        // machine) means the refusal was not waited out or retried.
        let (url, database) = Self.freshURL(["sslmode": "require", "connect_timeout": "600"], password: "s3cret")
        let started = ContinuousClock.now
        let dbos = try DBOS(config: DBOSConfig(name: "tls", systemDatabaseURL: url))
        do {
            try await dbos.launch()
            Issue.record("expected sslmode=require to fail")
            await dbos.shutdown()
        } catch let error as DBOSError {
            #expect(error.code == .databaseUnreachable, "\(error)")
            #expect(error.message.hasSuffix("/\(database): the server does not accept TLS, which sslmode=require requires"), "\(error)")
            #expect(!error.description.contains("s3cret"), "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(120))
    }

    /// The shared server's socket (`scripts/postgres.sh` puts it in /tmp).
    static let sharedSocket: (directory: String, port: Int)? = {
        guard let base = Backend.postgresBaseURL, let port = URLComponents(string: base)?.port,
              FileManager.default.fileExists(atPath: "/tmp/.s.PGSQL.\(port)") else { return nil }
        return ("/tmp", port)
    }()

    @Test(.enabled(if: sharedSocket != nil, "no PostgreSQL socket in /tmp"))
    func aUnixSocketURLRunsWorkflows() async throws {
        let (directory, port) = try #require(Self.sharedSocket)
        let database = "dbos_test_socket_\(Self.unique())"
        let encoded = directory.replacingOccurrences(of: "/", with: "%2F")
        try await withRuntime("postgresql://postgres@\(encoded):\(port)/\(database)", Self.echo) { dbos in
            #expect(try await dbos.run(Self.echo, "socket", options: WorkflowOptions(workflowID: "socket")) == "socket")
            // Every connection to the database (pool and listener) came through the socket: no client address.
            let rows = try await dbos.rawSQL("""
                SELECT count(*) AS connections, count(client_addr) AS tcp FROM pg_stat_activity WHERE datname = current_database()
                """)
            #expect(rows.first?.int("connections") ?? 0 >= 1)
            #expect(rows.first?.int("tcp") == 0)
        }
        // libpq's other spelling reaches the same database.
        let client = try await DBOSClient(databaseURL: "postgresql:///\(database)?host=\(directory)&port=\(port)&user=postgres")
        let status = try await client.getWorkflowStatus("socket")
        await client.close()
        #expect(status?.state == .success)
        #expect(status?.output == "\"socket\"")
    }

    /// Every connection (the pool's and the change feed's) carries the name, given or default.
    @Test(.enabled(if: Backend.postgresBaseURL != nil, "DBOS_TEST_DATABASE_URL not set"), arguments: ["xyz-billing", nil])
    func applicationNameShowsInPgStatActivity(name: String?) async throws {
        let (url, _) = Self.freshURL(name.map { ["application_name": $0] } ?? [:])
        try await withRuntime(url, Self.echo) { dbos in
            _ = try await dbos.run(Self.echo, "named")
            try await eventually("the pool and the listener to be connected") {
                let rows = try await dbos.rawSQL("""
                    SELECT application_name, count(*) AS connections FROM pg_stat_activity
                    WHERE datname = current_database() GROUP BY application_name
                    """)
                return rows.count == 1 && rows[0].string("application_name") == (name ?? "dbos-swift")
                    && rows[0].int("connections") ?? 0 >= 2
            }
        }
    }

    /// `DBOSClient.close()` returns with every connection the client opened closed: clients
    /// opened and closed together (a tool, a test harness) leave no session on the server, also
    /// when a client closes while its reads are still under way.
    @Test(.enabled(if: Backend.postgresBaseURL != nil, "DBOS_TEST_DATABASE_URL not set"))
    func closedClientsLeaveNoSession() async throws {
        let base = try #require(Backend.postgresBaseURL)
        let url = try await Backend.postgres.freshDatabaseURL("pg_client_close")
        let database = try Self.location(url).database
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<12 {
                group.addTask {
                    let client = try await DBOSClient(databaseURL: url)
                    // Several reads at once, so that the pool opens more than one connection.
                    let reads = (0..<4).map { _ in Task { _ = try await client.listWorkflows() } }
                    if index.isMultiple(of: 2) {
                        for read in reads { try await read.value }
                    }
                    await client.close()   // the odd ones while their reads still run
                    for read in reads { _ = await read.result }
                }
            }
            try await group.waitForAll()
        }
        let sessions = """
            SELECT coalesce(string_agg(state || ' after ' || left(query, 40) || ', port ' || client_port, '; '), '')
            FROM pg_stat_activity WHERE datname = '\(database)'
            """
        var left: String?
        do {
            try await eventually(timeout: .seconds(20), "the closed clients' sessions to end") {
                left = try await Self.admin(base, [sessions])
                return left == ""
            }
        } catch {
            Issue.record("sessions left open: \(left ?? "?")")
        }
    }

    /// A launch checks the database with one connection and keeps it for the change feed's
    /// LISTEN: with a pool of one, the runtime holds two sessions, and the listener is the
    /// older (it used to be a third session, opened after the pool's, the check's closed).
    @Test(.enabled(if: Backend.postgresBaseURL != nil, "DBOS_TEST_DATABASE_URL not set"))
    func theLaunchListensOnTheConnectionItCheckedWith() async throws {
        let url = try await Backend.postgres.freshDatabaseURL("pg_kept")
        let base = try #require(Backend.postgresBaseURL)
        let database = try Self.location(url).database
        var config = DBOSConfig(name: "kept", systemDatabaseURL: url, applicationVersion: "test-version")
        config.maxPostgresConnections = 1
        try await withRuntime(config: config, [Self.echo]) { dbos in
            #expect(try await dbos.run(Self.echo, "kept") == "kept")
            let listening = """
                SELECT coalesce(string_agg(CASE WHEN query LIKE 'LISTEN%' THEN 'listen' ELSE 'other' END, ',' ORDER BY backend_start), '')
                FROM pg_stat_activity WHERE datname = '\(database)'
                """
            var sessions: String?
            try await eventually("the listener and the pool's connection") {
                sessions = try await Self.admin(base, [listening])
                return sessions?.contains("listen") == true
            }
            #expect(sessions == "listen,other", "sessions oldest first: \(sessions ?? "?")")
            let opened = "SELECT sessions::text FROM pg_stat_database WHERE datname = '\(database)'"
            try await eventually("the sessions opened so far to be counted") { try await Self.admin(base, [opened]) == "2" }
        }
    }

    /// A launch that fails after the database answered (here: no schema, and the runtime may
    /// not create it) closes the connection it kept for the change feed.
    @Test(.enabled(if: Backend.postgresBaseURL != nil, "DBOS_TEST_DATABASE_URL not set"))
    func aFailedLaunchLeavesNoSession() async throws {
        let (url, database) = Self.freshURL([:])
        let base = try #require(Backend.postgresBaseURL)
        _ = try await Self.admin(base, ["CREATE DATABASE \(database)"])
        let dbos = try DBOS(config: DBOSConfig(name: "unmigrated", systemDatabaseURL: url, runMigrations: false))
        await #expect(throws: DBOSError.self) { try await dbos.launch() }
        let sessions = "SELECT count(*)::text FROM pg_stat_activity WHERE datname = '\(database)'"
        try await eventually(timeout: .seconds(20), "the failed launch's sessions to end") {
            try await Self.admin(base, [sessions]) == "0"
        }
    }

    // MARK: The maintenance database (a server of the test's own)

    /// A role that may not connect to `postgres` (as behind PgBouncer or on a managed service)
    /// launches on its existing system database; when the system database is missing too, the
    /// error names it; a role that may connect but not create databases gets the server's refusal.
    @Test(.enabled(if: PostgresServer.isAvailable, "PostgreSQL binaries not installed (scripts/test.sh installs them)"))
    func aRoleThatCannotReachThePostgresDatabaseStillLaunches() async throws {
        let server = try await PostgresServer.start()
        do {
            try await launchWithoutTheMaintenanceDatabase(server)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    private func launchWithoutTheMaintenanceDatabase(_ server: PostgresServer) async throws {
        try await Self.admin(server.url, [
            "REVOKE CONNECT ON DATABASE postgres FROM PUBLIC",
            "CREATE ROLE app LOGIN",
            "CREATE DATABASE app_system OWNER app",
            "CREATE ROLE creator LOGIN",
            "GRANT CONNECT ON DATABASE postgres TO creator",
        ])
        let port = try #require(URLComponents(string: server.url)?.port)
        let appURL = { (database: String) in "postgresql://app@127.0.0.1:\(port)/\(database)" }
        // The premise: app cannot connect to the maintenance database.
        do {
            try await Self.admin(appURL("postgres"), [])
            Issue.record("app should not reach the postgres database")
        } catch let error as PSQLError {
            #expect(error.serverInfo?[.sqlState] == "42501", "\(String(reflecting: error))")
        }

        // The system database exists: launch, migrate and run as app; the maintenance database is not needed.
        let logs = LogRecords()
        let dbos = try DBOS(config: DBOSConfig(name: "app", systemDatabaseURL: appURL("app_system"), logger: logs.logger))
        try dbos.register(Self.echo)
        try await dbos.launch()
        #expect(try await dbos.run(Self.echo, "owned", options: WorkflowOptions(workflowID: "owned")) == "owned")
        #expect(try await dbos.getWorkflowStatus("owned")?.state == .success)
        let rows = try await dbos.rawSQL("SELECT count(*) AS n, current_user AS role FROM dbos.workflow_status")
        #expect(rows.first?.int("n") == 1 && rows.first?.string("role") == "app")
        await dbos.shutdown()
        #expect(logs.messages(at: .warning).isEmpty, "\(logs.messages(at: .warning))")

        // Missing, and no maintenance database to create it through: a warning, then the error names the database.
        let missing = try DBOS(config: DBOSConfig(name: "app", systemDatabaseURL: appURL("app_missing"), logger: logs.logger))
        do {
            try await missing.launch()
            Issue.record("expected a launch error")
        } catch let error as DBOSError {
            #expect(error.code == .databaseUnreachable, "\(error)")
            #expect(error.message.hasPrefix("""
                cannot reach system database postgresql://app@127.0.0.1:\(port)/app_missing: database "app_missing" does not exist \
                (SQLSTATE 3D000); it could not be created: the maintenance database 'postgres' cannot be reached (permission denied for database "postgres"
                """), "\(error)")
            #expect(error.message.hasSuffix("; create the database beforehand"), "\(error)")
        }
        let warnings = logs.messages(at: .warning)
        #expect(warnings.count == 1 && warnings.first?.contains("the maintenance database cannot be reached") == true, "\(warnings)")
        #expect(warnings.first?.contains("permission denied for database \"postgres\"") == true, "\(warnings)")

        // Reaches the maintenance database but may not create databases: the server's refusal.
        let refused = try DBOS(config: DBOSConfig(name: "creator", systemDatabaseURL: "postgresql://creator@127.0.0.1:\(port)/creator_system"))
        do {
            try await refused.launch()
            Issue.record("expected a launch error")
        } catch let error as DBOSError {
            #expect(error.code == .databaseUnreachable, "\(error)")
            #expect(error.message.hasSuffix(
                "/creator_system: the database does not exist and cannot be created: permission denied to create database (SQLSTATE 42501)"),
                "\(error)")
        }
    }

    // MARK: TLS (a server of the test's own, with certificates made by openssl)

    static let opensslAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")

    /// Each sslmode against a TLS server whose certificate names `localhost` (not 127.0.0.1),
    /// signed by a CA of the test's own; role `certuser` must present a client certificate.
    @Test(.enabled(if: PostgresServer.isAvailable && opensslAvailable, "PostgreSQL binaries or openssl not installed"))
    func sslModesAgainstATLSServer() async throws {
        let server = try await PostgresServer.start()
        do {
            try await checkSSLModes(server)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    /// What a connection should do: use TLS or not, or be refused with a message containing the text.
    enum Outcome: Equatable { case tls(Bool), refused(String) }

    private func checkSSLModes(_ server: PostgresServer) async throws {
        let files = try await Self.enableTLS(on: server)
        let port = try #require(URLComponents(string: server.url)?.port)
        let ca = "sslrootcert=\(files)/ca.crt"
        let client = "sslcert=\(files)/client.crt&sslkey=\(files)/client.key"
        let cases: [(user: String, host: String, query: String, outcome: Outcome)] = [
            ("postgres", "127.0.0.1", "sslmode=disable", .tls(false)),
            ("postgres", "127.0.0.1", "sslmode=allow", .tls(true)),
            ("postgres", "127.0.0.1", "sslmode=prefer", .tls(true)),
            ("postgres", "127.0.0.1", "", .tls(true)),
            ("postgres", "127.0.0.1", "sslmode=require", .tls(true)),
            ("postgres", "127.0.0.1", "sslmode=require&sslrootcert=\(files)/other-ca.crt", .refused("CERTIFICATE_VERIFY_FAILED")),
            ("postgres", "127.0.0.1", "sslmode=verify-ca", .refused("CERTIFICATE_VERIFY_FAILED")),
            ("postgres", "127.0.0.1", "sslmode=verify-ca&\(ca)", .tls(true)),
            ("postgres", "127.0.0.1", "sslmode=verify-ca&sslrootcert=\(files)/missing.crt", .refused("TLS setup failed: cannot load sslrootcert '\(files)/missing.crt'")),
            ("postgres", "127.0.0.1", "sslmode=verify-full&\(ca)", .refused("failedToValidateHostname")),
            ("postgres", "localhost", "sslmode=verify-full&\(ca)", .tls(true)),
            ("certuser", "localhost", "sslmode=verify-full&\(ca)", .refused("connection requires a valid client certificate (SQLSTATE 28000)")),
            ("certuser", "localhost", "sslmode=verify-full&\(ca)&\(client)", .tls(true)),
            ("certuser", "localhost", "sslmode=verify-full&\(ca)&sslcert=\(files)/missing.crt&sslkey=\(files)/client.key",
             .refused("TLS setup failed: cannot load sslcert '\(files)/missing.crt'")),
            ("certuser", "127.0.0.1", "sslmode=disable", .refused("pg_hba.conf rejects connection")),
        ]
        for (user, host, query, outcome) in cases {
            let url = "postgresql://\(user)@\(host):\(port)/postgres?\(query)"
            do {
                let client = try await DBOSClient(databaseURL: url)
                let rows = try await client.rawSQL("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                await client.close()
                #expect(outcome == .tls(rows.first?.bool("ssl") == true), "\(url)")
            } catch let error as DBOSError {
                guard case .refused(let text) = outcome else {
                    Issue.record("\(url): \(error)")
                    continue
                }
                #expect(error.code == .databaseUnreachable, "\(url): \(error)")
                let prefix = "cannot reach system database postgresql://\(user)@\(host):\(port)/postgres: "
                #expect(error.message.hasPrefix(prefix) && error.message.dropFirst(prefix.count).contains(text), "\(url): \(error)")
            }
        }

        // A runtime on verify-full: the pool and the change feed's listener both use TLS.
        let url = "postgresql://postgres@localhost:\(port)/dbos_tls?sslmode=verify-full&\(ca)"
        try await withRuntime(url, Self.echo) { dbos in
            #expect(try await dbos.run(Self.echo, "sealed", options: WorkflowOptions(workflowID: "sealed")) == "sealed")
            try await eventually("the pool and the listener to be connected over TLS") {
                let rows = try await dbos.rawSQL("""
                    SELECT count(*) AS connections, count(*) FILTER (WHERE s.ssl) AS tls
                    FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.datname = current_database()
                    """)
                let connections = rows.first?.int("connections") ?? 0
                return connections >= 2 && rows.first?.int("tls") == connections
            }
        }
    }

    /// Makes a CA, a server certificate for `localhost`, another CA and a client certificate for
    /// `certuser`; turns TLS on (`ALTER SYSTEM`, reload) and makes `certuser` authenticate by
    /// certificate only. Returns the folder of the files.
    private static func enableTLS(on server: PostgresServer) async throws -> String {
        let files = URL(fileURLWithPath: server.dataDirectory).deletingLastPathComponent().appendingPathComponent("tls").path
        let script = """
            set -e
            mkdir -p "$1" && cd "$1"
            key() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null; }
            ca() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1.key" -out "$1.crt" -days 2 -subj "/CN=$1" 2>/dev/null; }
            sign() { openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 2 -extfile "$1.ext" 2>/dev/null; }
            ca ca; ca other-ca
            key server localhost; printf 'subjectAltName=DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > server.ext; sign server
            key client certuser; printf 'extendedKeyUsage=clientAuth\\n' > client.ext; sign client
            chmod 600 *.key
            if [ "$(id -u)" = 0 ]; then chown -R postgres .; fi
            """
        let openssl = try ChildProcess.start(command: ["/bin/bash", "-c", script, "bash", files])
        guard try await openssl.waitForExit() == 0 else { throw TestFailure("openssl failed: \(openssl.output)") }
        let hba = server.dataDirectory + "/pg_hba.conf"
        let rules = """
            hostssl all certuser 127.0.0.1/32 cert
            hostssl all certuser ::1/128 cert
            host all certuser all reject

            """
        try (rules + String(contentsOfFile: hba, encoding: .utf8)).write(toFile: hba, atomically: false, encoding: .utf8)
        try await admin(server.url, [
            "CREATE ROLE certuser LOGIN",
            "ALTER SYSTEM SET ssl_cert_file = '\(files)/server.crt'",
            "ALTER SYSTEM SET ssl_key_file = '\(files)/server.key'",
            "ALTER SYSTEM SET ssl_ca_file = '\(files)/ca.crt'",
            "ALTER SYSTEM SET ssl = on",
            "SELECT pg_reload_conf()",
        ])
        try await eventually(timeout: .seconds(10), "the server to turn TLS on") {
            try await admin(server.url, ["SHOW ssl"]) == "on"
        }
        return files
    }

    // MARK: Helpers

    private static func location(_ url: String) throws -> DatabaseURL.PostgresLocation {
        guard case .postgres(let location) = try DatabaseURL(parsing: url) else { throw TestFailure("not a PostgreSQL URL: \(url)") }
        return location
    }

    private static func unique() -> String { UUID().uuidString.prefix(8).lowercased() }

    /// A fresh database on the shared server, with these query parameters: its URL and name.
    private static func freshURL(_ parameters: [String: String], password: String? = nil) -> (url: String, database: String) {
        var components = URLComponents(string: Backend.postgresBaseURL!)!
        let database = "dbos_test_conn_\(unique())"
        components.path = "/" + database
        components.password = password
        components.queryItems = parameters.isEmpty ? nil : parameters.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return (components.string!, database)
    }


    /// Runs statements one by one on a connection of its own to `url` (so `CREATE DATABASE`
    /// and `ALTER SYSTEM` run outside a transaction); returns the last one's first value.
    @discardableResult
    private static func admin(_ url: String, _ statements: [String]) async throws -> String? {
        let location = try location(url)
        let logger = Logger(label: "test.admin")
        let connection = try await PostgresConnection.connect(
            configuration: PostgresConnectionSettings(location).connectionConfiguration(database: location.database), id: 9, logger: logger)
        do {
            var value: String?
            for statement in statements {
                value = nil
                for try await row in try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) {
                    value = value ?? (try? row.decode(String?.self)) ?? nil
                }
            }
            try await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// The records of a test's logger, for checking what was warned.
final class LogRecords: Sendable {
    private let records = Mutex<[(level: Logger.Level, text: String)]>([])

    /// A logger that records here (info and above).
    var logger: Logger { Logger(label: "test.records") { _ in Handler(records: self) } }

    /// The messages at `level`, each followed by its metadata.
    func messages(at level: Logger.Level) -> [String] {
        records.withLock { $0.filter { $0.level == level }.map(\.text) }
    }

    private struct Handler: LogHandler {
        let records: LogRecords
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let text = "\(event.message) " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            records.records.withLock { $0.append((event.level, text)) }
        }
    }
}
