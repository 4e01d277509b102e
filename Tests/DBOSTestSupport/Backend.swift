public import Foundation
public import Testing

/// The storage backends every behaviour test runs on. PostgreSQL joins when
/// `DBOS_TEST_DATABASE_URL` names a server (scripts/test.sh starts one).
public enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    public var testDescription: String { rawValue }

    /// The PostgreSQL server's URL, when one is configured.
    public static let postgresBaseURL: String? = {
        let value = ProcessInfo.processInfo.environment["DBOS_TEST_DATABASE_URL"]
        return (value?.isEmpty ?? true) ? nil : value
    }()

    /// SQLite always; PostgreSQL when a server is configured.
    public static let available: [Backend] = {
        if postgresBaseURL == nil {
            FileHandle.standardError.write(Data("""
                NOTE: DBOS_TEST_DATABASE_URL is not set: PostgreSQL tests are SKIPPED; only SQLite runs.
                      Run scripts/test.sh to run both backends.\n
                """.utf8))
            return [.sqlite]
        }
        return [.sqlite, .postgres]
    }()

    /// A fresh system database for one test, ready to launch on. On PostgreSQL it is a copy of a
    /// migrated template (``PostgresTemplate``); on SQLite a new file, which the runtime creates
    /// and migrates (that costs little). Tests of creating or migrating a database use
    /// ``emptyDatabaseURL(_:)``.
    public func freshDatabaseURL(_ label: String = "t") async throws -> String {
        let (url, database) = newDatabase(label)
        if self == .postgres {
            try await PostgresTemplate.shared.copy(to: database, server: Backend.postgresBaseURL!)
        }
        return url
    }

    /// The URL of a system database that does not exist yet: launching on it creates it (on
    /// PostgreSQL, through the maintenance database) and migrates it.
    public func emptyDatabaseURL(_ label: String = "t") -> String {
        newDatabase(label).url
    }

    private func newDatabase(_ label: String) -> (url: String, database: String) {
        let unique = "\(label)_\(UUID().uuidString.prefix(8).lowercased())"
        switch self {
        case .sqlite:
            return ("sqlite://" + ScratchDirectory.shared.appendingPathComponent("\(unique).sqlite").path, unique)
        case .postgres:
            let database = "dbos_test_\(unique)"
            return (Backend.url(Backend.postgresBaseURL!, database: database), database)
        }
    }

    /// `url` (a PostgreSQL server's) naming `database` instead of its own.
    static func url(_ url: String, database: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + database
        return components.string!
    }
}

/// The temporary directory for the files of the tests.
public enum ScratchDirectory {
    public static let shared: URL = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dbos-tests", isDirectory: true)
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }()

    /// A new empty directory.
    public static func fresh(_ label: String) throws -> URL {
        let directory = shared.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8).lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

/// Lines of a text file (none when it does not exist).
public func lines(of path: String) -> [String] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
}
