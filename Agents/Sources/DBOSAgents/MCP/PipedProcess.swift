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
    /// The one reaping of the process, once begun.
    private let reaping = Mutex<Task<String, Never>?>(nil)
    /// Whether the process has been reaped (its ID may then belong to another process).
    private let processState = Mutex(false)

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
        // Nothing else of this process's reaches the server: swift-nio opens its sockets without
        // close-on-exec, and a child holding a copy of a database connection's socket keeps
        // that connection open on the server after the pool has closed it.
        closeInheritedDescriptors(&actions)
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
    private static let ignoreBrokenPipes: Void = { _ = Glibc.signal(SIGPIPE, SIG_IGN) }()

    /// How the process ended (`exit status 3`, `signal 9`), once it has; reaps it.
    /// Waits up to a second for a process whose output has ended, then kills it. Callers that
    /// arrive together share one reaping (closing a descriptor twice could close a number
    /// already reused by another connection of this process: a PostgreSQL socket, say).
    func reap() async -> String {
        let task = reaping.withLock { reaping -> Task<String, Never> in
            if let reaping { return reaping }
            let task = Task { await self.reapOnce() }
            reaping = task
            return task
        }
        return await task.value
    }

    private func reapOnce() async -> String {
        var status: Int32 = 0
        var waited = 0
        while !poll(&status) {
            if waited == 100 { signal(SIGKILL) }
            try? await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        let signalNumber = status & 0x7f
        let text = signalNumber == 0 ? "exit status \((status >> 8) & 0xff)" : "signal \(signalNumber)"
        // The pipes are pointed at /dev/null rather than closed: a read or write still in flight
        // in the transport then finds end-of-file or a sink, never a descriptor number that
        // another connection of this process has been given since. They close with this object.
        for descriptor in [fromChild, toChild] { _ = dup2(Self.nullDevice, descriptor) }
        exit.withLock { $0 = text }
        return text
    }

    /// `/dev/null`, open for the life of the process.
    private static let nullDevice: Int32 = open("/dev/null", O_RDWR | O_CLOEXEC)

    deinit {
        close(fromChild)
        close(toChild)
    }

    /// Whether the process has ended (and is now reaped), under the lock that ``signal(_:)``
    /// takes, so a signal never reaches a process ID the system has handed out again.
    private func poll(_ status: inout Int32) -> Bool {
        var result: Int32 = 0
        let done = processState.withLock { reaped -> Bool in
            guard !reaped else { return true }
            var local: Int32 = 0
            let answer = waitpid(pid, &local, WNOHANG)
            result = local
            if answer == pid || answer < 0 { reaped = true }
            return reaped
        }
        status = result
        return done
    }

    /// Sends `number` to the process unless it has been reaped.
    private func signal(_ number: Int32) {
        processState.withLock { reaped in if !reaped { kill(pid, number) } }
    }

    /// How the process ended, nil while it has not been reaped.
    var ended: String? { exit.withLock { $0 } }

    /// Ends the process (SIGTERM, then SIGKILL after a second) and reaps it.
    func terminate() async {
        guard ended == nil else { return }
        signal(SIGTERM)
        _ = await reap()
    }
}

/// Adds to `actions` the closing, in the child, of every descriptor from 3 up (glibc's
/// `posix_spawn_file_actions_addclosefrom_np`, glibc 2.34 and later, which Swift's Glibc module
/// does not import; with an older glibc the child inherits them).
private func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
    _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
}
