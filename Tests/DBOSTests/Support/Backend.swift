import Foundation
import Testing
@testable import DBOS

/// The storage backends every behaviour test runs on. PostgreSQL joins when
/// `DBOS_TEST_DATABASE_URL` names a server (scripts/test.sh starts one).
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    static let postgresBaseURL: String? = {
        let value = ProcessInfo.processInfo.environment["DBOS_TEST_DATABASE_URL"]
        return (value?.isEmpty ?? true) ? nil : value
    }()

    /// SQLite always; PostgreSQL when a server is configured.
    static let available: [Backend] = {
        if postgresBaseURL == nil {
            FileHandle.standardError.write(Data("""
                NOTE: DBOS_TEST_DATABASE_URL is not set: PostgreSQL tests are SKIPPED; only SQLite runs.
                      Run scripts/test.sh to run both backends.\n
                """.utf8))
            return [.sqlite]
        }
        return [.sqlite, .postgres]
    }()

    /// A fresh, empty system database URL for one test.
    func freshDatabaseURL(_ label: String = "t") -> String {
        let unique = "\(label)_\(UUID().uuidString.prefix(8).lowercased())"
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dbos-tests", isDirectory: true)
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return "sqlite://" + directory.appendingPathComponent("\(unique).sqlite").path
        case .postgres:
            var components = URLComponents(string: Backend.postgresBaseURL!)!
            components.path = "/dbos_test_\(unique)"
            return components.string!
        }
    }
}

@Suite struct BackendAvailability {
    @Test(.enabled(if: Backend.postgresBaseURL != nil, "DBOS_TEST_DATABASE_URL not set: PostgreSQL tests skipped (run scripts/test.sh)"))
    func postgresBackendIsConfigured() async throws {
        let client = try await DBOSClient(databaseURL: Backend.postgres.freshDatabaseURL("probe"))
        #expect(client.backendName == "postgres")
        await client.close()
    }
}
