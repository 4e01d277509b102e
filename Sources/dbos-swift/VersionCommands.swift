import ArgumentParser
import DBOS
import Foundation

/// `dbos-swift version ...`: the application versions registered in the system database.
struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "List the registered application versions and choose the latest.",
        discussion: """
            Work enqueued without an application version runs only on processes of the latest \
            version; making an older version the latest again sends that work back to it.
            """,
        subcommands: [ListVersions.self, SetLatestVersion.self])
}

/// `dbos-swift version list [--json]`
struct ListVersions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the registered versions, latest first.")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Print a JSON array (the columns of application_versions).")
    var json = false

    func run() async throws {
        try await database.withClient { client in
            let versions = try await client.listApplicationVersions()
            if json {
                return JSON.array(versions.map { version in
                    .object([
                        ("version_id", .string(version.id)), ("version_name", .string(version.name)),
                        ("version_timestamp", .int(EpochMillis.of(version.timestamp))),
                        ("created_at", .int(EpochMillis.of(version.createdAt))),
                    ])
                }).print()
            }
            for (index, version) in versions.enumerated() {
                let formatted = version.timestamp.formatted(.iso8601)
                print("\(version.name)  since \(formatted)\(index == 0 ? "  (latest)" : "")")
            }
        }
    }
}

/// `dbos-swift version set-latest NAME`
struct SetLatestVersion: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set-latest", abstract: "Make a registered version the latest.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The version's name.") var name: String

    func run() async throws {
        try await database.withClient { client in
            try await client.setLatestApplicationVersion(name)
            print("Application version '\(name)' is now the latest")
        }
    }
}
