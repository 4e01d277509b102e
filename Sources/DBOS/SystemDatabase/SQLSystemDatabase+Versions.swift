import Foundation

/// The `application_versions` registry, as DBOS Python 3.4.0 keeps it: every version a
/// process ran registers itself once; the latest is the one with the newest timestamp.
extension SQLSystemDatabase {
    func registerApplicationVersion(_ name: String) async throws {
        let now = clock.nowMilliseconds
        _ = try await driver.write("""
            INSERT INTO \(dialect.table(.applicationVersions)) (version_id, version_name, version_timestamp, created_at)
            VALUES (\(UUID().uuidString.lowercased()), \(name), \(now), \(now)) ON CONFLICT DO NOTHING
            """)
    }

    func applicationVersions() async throws -> [ApplicationVersion] {
        try await driver.read("""
            SELECT version_id, version_name, version_timestamp, created_at FROM \(dialect.table(.applicationVersions))
            ORDER BY version_timestamp DESC, created_at DESC
            """).map { row in
            ApplicationVersion(id: try row.decode("version_id"), name: try row.decode("version_name"),
                               timestamp: try row.decode("version_timestamp"), createdAt: try row.decode("created_at"))
        }
    }

    func setLatestApplicationVersion(_ name: String) async throws -> Bool {
        !(try await driver.write("""
            UPDATE \(dialect.table(.applicationVersions)) SET version_timestamp = \(clock.nowMilliseconds)
            WHERE version_name = \(name) RETURNING version_id
            """)).isEmpty
    }
}
