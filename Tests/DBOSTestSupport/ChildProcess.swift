public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process of the test: a built executable of this package, started with
/// `posix_spawn`, its standard output and error in files.
///
/// Spawns and reaps children itself: Foundation's `Process` on Linux sometimes never reports
/// the exit of one of several children started at once, which hung the suite.
public struct ChildProcess: Sendable {
    public let pid: pid_t
    /// Where standard output goes (and standard error, unless ``errorPath`` differs).
    public let outputPath: String
    public let errorPath: String

    /// The built executable `name` (a product of this package) next to the test binary.
    public static func executable(_ name: String) -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent(name) }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Starts `program` (a product built next to the test binary) with `arguments`, the test's
    /// environment changed by `environment` (a nil value removes a variable), in `directory`
    /// when given. With `separateErrors`, standard error goes to a file of its own.
    public static func start(_ program: String, _ arguments: [String], environment: [String: String?] = [:],
                             in directory: URL? = nil, separateErrors: Bool = false) throws -> ChildProcess {
        try start(command: [executable(program).path] + arguments, environment: environment, in: directory,
                  separateErrors: separateErrors)
    }

    /// Starts any command (`argv[0]` a path, or a name looked up on `PATH` through `/usr/bin/env`).
    public static func start(command: [String], environment: [String: String?] = [:], in directory: URL? = nil,
                             separateErrors: Bool = false) throws -> ChildProcess {
        let program = URL(fileURLWithPath: command[0]).lastPathComponent
        let logs = try ScratchDirectory.fresh("child-\(program)")
        let output = logs.appendingPathComponent("output.log").path
        let errors = separateErrors ? logs.appendingPathComponent("errors.log").path : output
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        var argv = command
        if let directory {
            argv = ["/usr/bin/env", "-C", directory.path] + argv   // posix_spawn has no portable chdir
        } else if !command[0].hasPrefix("/") {
            argv = ["/usr/bin/env"] + argv   // a name, found on PATH
        }
        let pid = try spawn(argv: argv, environment: variables.map { "\($0.key)=\($0.value)" }, stdout: output, stderr: errors)
        return ChildProcess(pid: pid, outputPath: output, errorPath: errors)
    }

    /// A finished run.
    public struct Finished: Sendable {
        /// The exit status, or 128 + the signal that ended the process.
        public var status: Int32
        public var stdout: String
        /// Standard error (the same text as `stdout` when they were not kept apart).
        public var stderr: String
        /// Everything printed: interleaved when not kept apart, else standard output then error.
        public var output: String
    }

    /// Runs `program` to completion (see ``start(_:_:environment:in:separateErrors:)``).
    public static func run(_ program: String, _ arguments: [String], environment: [String: String?] = [:],
                           in directory: URL? = nil, separateErrors: Bool = true) async throws -> Finished {
        let child = try start(program, arguments, environment: environment, in: directory, separateErrors: separateErrors)
        let status = try await child.waitForExit()
        let stdout = child.output, stderr = child.errors
        return Finished(status: status, stdout: stdout, stderr: stderr, output: separateErrors ? stdout + stderr : stdout)
    }

    /// Everything written to standard output (and standard error, unless separate) so far.
    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    /// Standard error, when it was kept apart.
    public var errors: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    public func kill(_ signal: Int32 = SIGKILL) { _ = Glibc.kill(pid, signal) }

    /// Waits for the exit; returns the exit status, or 128 + the signal that ended it.
    public func waitForExit() async throws -> Int32 {
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

    /// Whether the process has not exited yet (without reaping it).
    public var isRunning: Bool { Glibc.kill(pid, 0) == 0 && !isZombie }

    private var isZombie: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    /// Kills (SIGKILL) and reaps.
    public func stop() async throws {
        kill()
        _ = try await waitForExit()
    }

    /// The first capture group of `pattern` (or the whole match) in the output, waiting up to
    /// `timeout` for it; fails early when the process exits without printing it.
    public func awaitMatch(_ pattern: String, timeout: Duration = .seconds(60)) async throws -> String {
        let regex = try NSRegularExpression(pattern: pattern)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = output
            if let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
               let range = Range(match.range(at: match.numberOfRanges > 1 ? 1 : 0), in: text) {
                return String(text[range])
            }
            if !isRunning { throw TestFailure("process exited before printing /\(pattern)/:\n\(text)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("timed out waiting for /\(pattern)/ in:\n\(output)")
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
        // Without this, a child inherits every socket of the test process (swift-nio opens them
        // without close-on-exec) and keeps PostgreSQL sessions open after their pools closed them.
        closeInheritedDescriptors(&actions)
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer { (cArguments + cEnvironment).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, nil, cArguments, cEnvironment)
        guard result == 0 else { throw TestFailure("cannot run \(argv[0]): \(String(cString: strerror(result)))") }
        return pid
    }
}

/// Adds to `actions` the closing, in the child, of every descriptor from 3 up (glibc's
/// `posix_spawn_file_actions_addclosefrom_np`, glibc 2.34 and later, which Swift's Glibc module
/// does not import; with an older glibc the child inherits them).
func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
    _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
}
