import DBOS
import Foundation
import Logging
import PostgresNIO

/// The migrated databases every PostgreSQL test database is copied from.
///
/// Creating a database and migrating it costs the server about a quarter of a second of CPU,
/// most of it the schema's DDL (tables, indexes, their files). The suite makes a few hundred
/// databases, so that was the largest share of the test server's work. A copy of a migrated
/// template (`CREATE DATABASE … TEMPLATE`) skips the DDL. Each template is made once per test
/// process, through the library's own migration, and allows no connections afterwards (a
/// copy needs its template to have none).
actor PostgresTemplate {
    static let shared = PostgresTemplate()

    private let logger = Logger(label: "test.template")
    private var admin: PostgresClient?
    /// Templates, each copied by one copy at a time (the server refuses to copy a template that
    /// another copy is reading: "source database is being accessed by other users"). Several, so
    /// that the tests starting together do not queue behind one.
    private static let templateCount = 4
    private var templates: [Int: Task<String, any Error>] = [:]
    private var lastCopies: [Int: Task<Void, any Error>] = [:]
    private var copies = 0

    /// Creates `database` as a copy of a template (made first if this is its first copy).
    func copy(to database: String, server baseURL: String) async throws {
        let admin = try adminClient(baseURL)
        let index = copies % Self.templateCount
        copies += 1
        let previous = lastCopies[index]
        let logger = logger
        let copy = Task {
            _ = await previous?.result
            let template = try await self.templateName(index, admin: admin, baseURL: baseURL)
            try await Self.run("CREATE DATABASE \(Self.quoted(database)) TEMPLATE \(Self.quoted(template))", on: admin, logger: logger)
        }
        lastCopies[index] = copy
        try await copy.value
    }

    private func templateName(_ index: Int, admin: PostgresClient, baseURL: String) async throws -> String {
        if let template = templates[index] { return try await template.value }
        let logger = logger
        let made = Task {
            let name = "dbos_test_template_\(UUID().uuidString.prefix(8).lowercased())"
            try await Self.run("CREATE DATABASE \(Self.quoted(name))", on: admin, logger: logger)
            let client = try await DBOSClient(databaseURL: Backend.url(baseURL, database: name))
            do {
                _ = try await client.migrate()
                await client.close()
            } catch {
                await client.close()
                throw error
            }
            try await Self.run("ALTER DATABASE \(Self.quoted(name)) WITH ALLOW_CONNECTIONS false", on: admin, logger: logger)
            return name
        }
        templates[index] = made
        return try await made.value
    }

    /// A pool on the server's maintenance database, running for the rest of the test process.
    private func adminClient(_ baseURL: String) throws -> PostgresClient {
        if let admin { return admin }
        guard let components = URLComponents(string: baseURL) else { throw TemplateError("not a URL: \(baseURL)") }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        var configuration = PostgresClient.Configuration(
            host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: path.isEmpty ? "postgres" : path, tls: .disable)
        configuration.options.maximumConnections = Self.templateCount + 2
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        Task { await client.run() }   // as long as the test process: tests create databases until the end
        admin = client
        return client
    }

    private static func run(_ statement: String, on client: PostgresClient, logger: Logger) async throws {
        _ = try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger).collect()
    }

    private static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

struct TemplateError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
