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

    /// A fresh, empty system database URL for one test.
    public func freshDatabaseURL(_ label: String = "t") -> String {
        let unique = "\(label)_\(UUID().uuidString.prefix(8).lowercased())"
        switch self {
        case .sqlite:
            return "sqlite://" + ScratchDirectory.shared.appendingPathComponent("\(unique).sqlite").path
        case .postgres:
            var components = URLComponents(string: Backend.postgresBaseURL!)!
            components.path = "/dbos_test_\(unique)"
            return components.string!
        }
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
