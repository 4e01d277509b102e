import DBOS
import DBOSTestSupport
import Testing

@Suite struct BackendAvailability {
    @Test(.enabled(if: Backend.postgresBaseURL != nil, "DBOS_TEST_DATABASE_URL not set: PostgreSQL tests skipped (run scripts/test.sh)"))
    func postgresBackendIsConfigured() async throws {
        let client = try await DBOSClient(databaseURL: try await Backend.postgres.freshDatabaseURL("probe"))
        #expect(client.backendName == "postgres")
        await client.close()
    }
}
