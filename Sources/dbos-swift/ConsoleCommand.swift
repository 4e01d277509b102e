import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `dbos-swift console`: runs `dbos-console` (built next to `dbos-swift`) in this process's place,
/// with the same arguments. The console is a separate executable so that `dbos-swift`, a
/// product, does not bring Hummingbird into the graph of packages that depend on DBOS.
struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Serve the web console (workflows, steps timeline, queues, actions, /metrics).",
        discussion: "Options: --database-url URL [--host 127.0.0.1] [--port 8080] [--token T] [--read-only]; see `dbos-swift console --help`.")

    @Argument(parsing: .allUnrecognized, help: "Options of the console.")
    var arguments: [String] = []

    func run() throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("dbos-console").path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            FileHandle.standardError.write(Data("error: \(executable) not found (build it: swift build --product dbos-swift builds only the CLI; run swift build)\n".utf8))
            throw ExitCode.failure
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        execv(executable, argv)
        FileHandle.standardError.write(Data("error: could not run \(executable): errno \(errno)\n".utf8))
        throw ExitCode.failure
    }
}
