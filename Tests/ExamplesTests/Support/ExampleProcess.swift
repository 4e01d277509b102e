import Foundation

/// An example executable running as a real child process, its output captured in a file.
struct ExampleProcess {
    let process: Process
    let logPath: String

    /// The built executable `name`, next to the test bundle.
    static func executable(_ name: String) -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent(name) }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Starts `name` with `arguments` in `directory`.
    static func start(_ name: String, _ arguments: [String], in directory: URL) throws -> ExampleProcess {
        let process = Process()
        process.executableURL = executable(name)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let log = directory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return ExampleProcess(process: process, logPath: log.path)
    }

    /// Runs `name` to completion; returns its exit status and output.
    static func run(_ name: String, _ arguments: [String], in directory: URL) async throws -> (status: Int32, output: String) {
        let child = try start(name, arguments, in: directory)
        await child.waitForExit()
        return (child.process.terminationStatus, child.output)
    }

    var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits for the process to exit without blocking a cooperative thread.
    func waitForExit() async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        process.waitUntilExit()
    }

    /// SIGKILLs the process and waits for it to go.
    func kill9() async {
        kill(process.processIdentifier, SIGKILL)
        await waitForExit()
    }

    /// The first capture group of `pattern` in the output, waiting up to `timeout` for it.
    func awaitMatch(_ pattern: String, timeout: Duration = .seconds(60)) async throws -> String {
        let regex = try NSRegularExpression(pattern: pattern)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = output
            if let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
               let range = Range(match.range(at: match.numberOfRanges > 1 ? 1 : 0), in: text) {
                return String(text[range])
            }
            if !process.isRunning { throw TestFailure("process exited (\(process.terminationStatus)) before printing /\(pattern)/:\n\(text)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("timed out waiting for /\(pattern)/ in:\n\(output)")
    }
}
