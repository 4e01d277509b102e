import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process of the test: a built executable of this package, started with
/// `posix_spawn`, its output in a file.
///
/// Spawns and reaps children itself: Foundation's `Process` on Linux sometimes never reports
/// the exit of one of several children started at once, which hung the suite.
struct ChildProcess: Sendable {
    let pid: pid_t
    let outputPath: String

    /// Starts `program` (a product built next to the test binary) with stdout and stderr in one file.
    static func start(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dbos-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let output = directory.appendingPathComponent("output.log").path
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pid = try spawn(argv: [CLI.executable(program).path] + arguments,
                            environment: variables.map { "\($0.key)=\($0.value)" }, stdout: output, stderr: output)
        return ChildProcess(pid: pid, outputPath: output)
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    func kill(_ signal: Int32 = SIGKILL) { _ = Glibc.kill(pid, signal) }

    /// Waits for the exit; returns the exit status, or 128 + the signal that ended it.
    func waitForExit() async throws -> Int32 { try await Self.waitForExit(pid) }

    /// Kills (SIGKILL) and reaps.
    func stop() async throws {
        kill()
        _ = try await waitForExit()
    }

    static func waitForExit(_ pid: pid_t) async throws -> Int32 {
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped == -1 && errno != EINTR { throw TestFailure("waitpid failed: errno \(errno)") }
            try await Task.sleep(for: .milliseconds(5))
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// `posix_spawn` with stdin from /dev/null and stdout and stderr into files.
    static func spawn(argv: [String], environment: [String], stdout: String, stderr: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if stderr == stdout {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer { (cArguments + cEnvironment).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, nil, cArguments, cEnvironment)
        guard result == 0 else { throw TestFailure("cannot run \(argv[0]): \(String(cString: strerror(result)))") }
        return pid
    }
}
