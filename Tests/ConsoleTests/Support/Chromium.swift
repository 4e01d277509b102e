import DBOSTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Debian's headless `chromium`, started for one test with its own profile directory and a
/// DevTools port it picks itself.
struct Chromium {
    /// The `chromium` executable on PATH, if installed.
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/chromium" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Whether the browser tests can run (see ``path``).
    static var isAvailable: Bool { path != nil }

    let process: ChildProcess
    /// The browser's DevTools WebSocket URL.
    let webSocketURL: String

    /// Starts the browser and waits for its DevTools port (written to `DevToolsActivePort`).
    static func start() async throws -> Chromium {
        guard let path else { throw TestFailure("chromium is not installed (apt-get install -y chromium)") }
        let profile = try ScratchDirectory.fresh("chromium")
        let process = try ChildProcess.start(command: [
            path, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--window-size=1280,900",
            "--remote-debugging-address=127.0.0.1", "--remote-allow-origins=*", "--remote-debugging-port=0", "--user-data-dir=\(profile.path)", "about:blank",
        ])
        let portFile = profile.appendingPathComponent("DevToolsActivePort").path
        var lines: [String] = []
        do {
            try await eventually(timeout: .seconds(60), "chromium's DevToolsActivePort") {
                lines = DBOSTestSupport.lines(of: portFile)
                if lines.count < 2 && !process.isRunning { throw TestFailure("chromium exited:\n\(process.output)") }
                return lines.count >= 2
            }
        } catch {
            try? await process.stop()
            throw error
        }
        return Chromium(process: process, webSocketURL: "ws://127.0.0.1:\(lines[0])\(lines[1])")
    }

    /// Asks the browser to quit (SIGTERM), and kills it if it has not within 10 s.
    func stop() async {
        process.kill(SIGTERM)
        do {
            try await eventually(timeout: .seconds(10), "chromium to exit") { !process.isRunning }
        } catch {
            process.kill(SIGKILL)
        }
        _ = try? await process.waitForExit()
    }
}
