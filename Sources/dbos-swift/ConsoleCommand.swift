import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `dbos-swift console`: runs `dbos-console` in this process's place, with the same arguments.
/// The console is a separate executable (from the `Console/` package) so that `dbos-swift`, a
/// product, does not bring Hummingbird into the graph of packages that depend on DBOS. It is
/// looked for next to `dbos-swift` (where `swift build` in this repository puts it), then on
/// `PATH`.
struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Serve the web console (workflows, steps timeline, queues, actions, /metrics).",
        discussion: "Options: --database-url URL [--host 127.0.0.1] [--port 8080] [--token T] [--read-only]; see `dbos-swift console --help`.")

    @Argument(parsing: .allUnrecognized, help: "Options of the console.")
    var arguments: [String] = []

    func run() throws {
        guard let executable = Self.consoleExecutable() else {
            FileHandle.standardError.write(Data("""
                error: dbos-console was found neither next to dbos-swift nor on PATH. Build it with \
                `swift build --package-path Console -c release` (in the dbos-transact-swift repository) and put \
                Console/.build/release/dbos-console on PATH, or run `swift build` in the repository.

                """.utf8))
            throw ExitCode.failure
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        execv(executable, argv)
        FileHandle.standardError.write(Data("error: could not run \(executable): errno \(errno)\n".utf8))
        throw ExitCode.failure
    }

    /// `dbos-console` next to this executable, else the first on `PATH`.
    static func consoleExecutable() -> String? {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = [beside.path] + path.split(separator: ":").map(String.init)
        return candidates.map { URL(fileURLWithPath: $0).appendingPathComponent("dbos-console").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
