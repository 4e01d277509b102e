import Foundation
import Testing

/// The storage backends the example tests run on (the same rule as Tests/DBOSTests: SQLite
/// always, PostgreSQL when `DBOS_TEST_DATABASE_URL` names a server).
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    static let postgresBaseURL: String? = {
        let value = ProcessInfo.processInfo.environment["DBOS_TEST_DATABASE_URL"]
        return (value?.isEmpty ?? true) ? nil : value
    }()

    static let available: [Backend] = postgresBaseURL == nil ? [.sqlite] : [.sqlite, .postgres]

    /// A fresh, empty system database URL for one test.
    func freshDatabaseURL(_ label: String) -> String {
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

/// A temporary directory for the files of the example tests.
enum ScratchDirectory {
    static let shared: URL = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dbos-examples-tests", isDirectory: true)
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }()

    /// A new empty directory.
    static func fresh(_ label: String) throws -> URL {
        let directory = shared.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8).lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

/// Lines of a text file (none when it does not exist).
func lines(of path: String) -> [String] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
}

/// Polls `condition` until it holds, or fails after `timeout`.
func eventually(timeout: Duration = .seconds(30), _ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TestFailure("timed out waiting for \(what)")
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
