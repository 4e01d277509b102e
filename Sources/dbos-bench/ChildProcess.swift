import Foundation
import Synchronization

/// Lines read from a file handle by a thread of their own, for one async consumer.
final class LineInbox: Sendable {
    private struct State {
        var lines: [String] = []
        var closed = false
        var waiter: CheckedContinuation<String?, Never>?
    }

    private let state = Mutex(State())

    /// Starts reading `handle` until end of file (blocking reads, on a dedicated thread).
    static func reading(_ handle: FileHandle) -> LineInbox {
        let inbox = LineInbox()
        let thread = Thread {
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    inbox.push(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                    buffer.removeSubrange(buffer.startIndex...newline)
                }
            }
            if !buffer.isEmpty { inbox.push(String(decoding: buffer, as: UTF8.self)) }
            inbox.close()
        }
        thread.start()
        return inbox
    }

    private func push(_ line: String) {
        let waiter = state.withLock { state -> CheckedContinuation<String?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.lines.append(line)
            return nil
        }
        waiter?.resume(returning: line)
    }

    private func close() {
        let waiter = state.withLock { state -> CheckedContinuation<String?, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next line, or nil at end of file. One caller at a time.
    func next() async -> String? {
        await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            let ready = state.withLock { state -> String?? in
                if !state.lines.isEmpty { return .some(state.lines.removeFirst()) }
                if state.closed { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// Writes one protocol line to standard output, unbuffered (the parent reads it through a pipe).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// A `dbos-bench` child process in a hidden role, driven by lines on its standard input and
/// answering with lines on its standard output (its standard error is this process's).
final class ChildProcess: Sendable {
    let name: String
    private let process: Process
    private let input: FileHandle
    private let output: LineInbox

    /// Starts this executable again with `arguments`.
    init(name: String, arguments: [String]) throws {
        self.name = name
        let process = Process()
        process.executableURL = Self.executableURL
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        self.process = process
        input = stdin.fileHandleForWriting
        output = LineInbox.reading(stdout.fileHandleForReading)
    }

    private static var executableURL: URL {
        if let url = Bundle.main.executableURL { return url }
        return URL(fileURLWithPath: CommandLine.arguments[0])
    }

    var processID: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    func send(_ line: String) throws {
        try input.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Waits for the line `expected`; any other line is an error, and so is end of output.
    func expect(_ expected: String) async throws {
        guard let line = await output.next() else {
            throw BenchFailure("\(name) (pid \(processID)) exited before '\(expected)'")
        }
        guard line == expected else {
            throw BenchFailure("\(name) (pid \(processID)) said '\(line)', expected '\(expected)'")
        }
    }

    /// Asks the child to stop (closes its input), waits for it to exit, and checks its status.
    func stop() async throws {
        try? input.close()
        while await output.next() != nil {}
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchFailure("\(name) (pid \(processID)) exited with status \(process.terminationStatus)")
        }
    }

    /// Ends a child that is still running (after a failure elsewhere).
    func kill() {
        try? input.close()
        if process.isRunning { process.terminate() }
    }
}

/// Standard input as lines, for a child role.
func standardInputLines() -> LineInbox {
    LineInbox.reading(FileHandle.standardInput)
}
