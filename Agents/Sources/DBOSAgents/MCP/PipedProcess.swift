import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process whose standard input and output are pipes to this process (an MCP server
/// over stdio). Its standard error is this process's.
final class PipedProcess: Sendable {
    let pid: pid_t
    /// Where this process reads the child's standard output.
    let fromChild: Int32
    /// Where this process writes the child's standard input.
    let toChild: Int32
    private let exit = Mutex<String?>(nil)

    /// Starts `command` (`command[0]` a path, or a name found on `PATH`).
    init(command: [String], environment: [String: String]) throws {
        _ = Self.ignoreBrokenPipes
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0 else {
            throw AgentError.serverUnavailable(server: command.first ?? "", reason: "pipe: \(String(cString: strerror(errno)))")
        }
        // Not inherited by other children (the child gets its ends through dup2, which clears the flag).
        for descriptor in input + output { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        let argv = command[0].hasPrefix("/") ? command : ["/usr/bin/env"] + command
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArguments + cEnvironment).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, nil, cArguments, cEnvironment)
        close(input[0])
        close(output[1])
        guard result == 0 else {
            close(input[1])
            close(output[0])
            throw AgentError.serverUnavailable(server: command[0], reason: "cannot run it: \(String(cString: strerror(result)))")
        }
        self.pid = pid
        self.toChild = input[1]
        self.fromChild = output[0]
    }

    /// A write to a pipe whose reader has exited fails with EPIPE instead of killing this process.
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// How the process ended (`exit status 3`, `signal 9`), once it has; reaps it.
    /// Waits up to a second for a process whose output has ended, then kills it.
    func reap() async -> String {
        if let known = exit.withLock({ $0 }) { return known }
        var status: Int32 = 0
        var reaped = waitpid(pid, &status, WNOHANG)
        var waited = 0
        while reaped == 0 && waited < 100 {
            try? await Task.sleep(for: .milliseconds(10))
            waited += 1
            reaped = waitpid(pid, &status, WNOHANG)
        }
        if reaped == 0 {
            kill(pid, SIGKILL)
            reaped = waitpid(pid, &status, 0)
        }
        let signal = status & 0x7f
        let text = reaped != pid ? "status unknown" : signal == 0 ? "exit status \((status >> 8) & 0xff)" : "signal \(signal)"
        close(fromChild)
        close(toChild)
        exit.withLock { $0 = text }
        return text
    }

    /// How the process ended, nil while it has not been reaped.
    var ended: String? { exit.withLock { $0 } }

    /// Ends the process (SIGTERM, then SIGKILL after a second) and reaps it.
    func terminate() async {
        guard ended == nil else { return }
        kill(pid, SIGTERM)
        _ = await reap()
    }
}
