import Foundation

/// A PostgreSQL server of a test's own (started with `scripts/postgres.sh`), for tests that
/// stop and start the server under a running workload without disturbing other tests.
public final class PostgresServer: Sendable {
    /// The server's `postgres` database URL.
    public let url: String
    private let directory: String

    /// Whether PostgreSQL's binaries are installed (`scripts/test.sh` installs them).
    public static let isAvailable: Bool = {
        let candidates = ["/usr/local/bin/initdb", "/usr/bin/initdb"]
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).map { "/usr/lib/postgresql/\($0)/bin/initdb" }
        return candidates.contains { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    private static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/postgres.sh").path

    private init(url: String, directory: String) {
        self.url = url
        self.directory = directory
    }

    /// Initializes and starts a server on a free port (fsync on, as in production).
    public static func start() async throws -> PostgresServer {
        let directory = "/tmp/dbos-pg-\(UUID().uuidString.prefix(8).lowercased())"
        for _ in 0..<5 {
            let port = Int.random(in: 56_000..<60_000)
            if try await postgres(["start", directory, String(port)]) {
                return PostgresServer(url: "postgresql://postgres@127.0.0.1:\(port)/postgres", directory: directory)
            }
        }
        throw TestFailure("could not start a PostgreSQL server (see \(directory))")
    }

    /// The server's data directory (`postgresql.conf`, `pg_hba.conf`), owned by the server's user.
    public var dataDirectory: String { directory + "/data" }

    /// A fresh database on this server.
    public func freshDatabaseURL(_ label: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/dbos_\(label)_\(UUID().uuidString.prefix(8).lowercased())"
        return components.string!
    }

    /// How the server goes down.
    public enum ShutdownMode: String, Sendable, CaseIterable {
        /// Disconnects clients and shuts down cleanly (`pg_ctl stop -m fast`).
        case fast
        /// Aborts at once, recovering from the WAL at the next start (`pg_ctl stop -m immediate`).
        case immediate
    }

    /// Stops the server (an outage for its clients).
    public func halt(_ mode: ShutdownMode) async throws {
        guard try await Self.postgres(["halt", directory, mode.rawValue]) else { throw TestFailure("pg_ctl stop -m \(mode) failed") }
    }

    /// Starts the halted server again on its port.
    public func resume() async throws {
        guard try await Self.postgres(["resume", directory]) else { throw TestFailure("pg_ctl start failed") }
    }

    /// Stops the server and removes its files.
    public func stop() async {
        _ = try? await Self.postgres(["stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func postgres(_ arguments: [String]) async throws -> Bool {
        let child = try ChildProcess.start(command: ["/bin/bash", script] + arguments)
        return try await child.waitForExit() == 0
    }
}
