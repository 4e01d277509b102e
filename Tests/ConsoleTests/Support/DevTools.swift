import DBOSTestSupport
import Foundation
import HummingbirdWSClient
import Logging
import NIOWebSocket
import Synchronization
import Testing

/// A Chrome DevTools Protocol connection to one page of a headless browser, over the
/// browser's WebSocket: commands with their responses, and JavaScript dialogs (`confirm()`)
/// accepted as they open, their messages kept.
final class DevToolsPage: Sendable {
    private let outbound: WebSocketOutboundWriter
    private let state = Mutex<State>(State())
    /// Set once the page is attached.
    private let session = Mutex<String?>(nil)

    private struct State {
        var nextID = 1
        var pending: [Int: CheckedContinuation<Data, any Error>] = [:]
        var dialogs: [String] = []
        var closed = false
    }

    private init(outbound: WebSocketOutboundWriter) {
        self.outbound = outbound
    }

    /// The messages of the dialogs accepted so far.
    var dialogs: [String] { state.withLock { $0.dialogs } }

    /// Connects to the browser at `webSocketURL`, opens a blank page and runs `body` with it.
    static func with<T: Sendable>(browser webSocketURL: String, _ body: @escaping @Sendable (DevToolsPage) async throws -> T) async throws -> T {
        let result = Outcome<T>()
        var configuration = WebSocketClientConfiguration()
        configuration.maxFrameSize = 1 << 26
        var logger = Logger(label: "devtools")
        logger.logLevel = .warning
        try await WebSocketClient.connect(url: webSocketURL, configuration: configuration, logger: logger) { inbound, outbound, _ in
            let page = DevToolsPage(outbound: outbound)
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await message in inbound.messages(maxSize: 1 << 26) {
                            guard case .text(let text) = message else { continue }
                            try await page.received(Data(text.utf8))
                        }
                        page.failAll(TestFailure("the browser closed the DevTools connection"))
                    } catch {
                        page.failAll(error)
                        throw error
                    }
                }
                do {
                    let target = try await page.command("Target.createTarget", ["url": "about:blank"], inSession: false)
                    let targetID = try #require(target["targetId"] as? String)
                    let attached = try await page.command("Target.attachToTarget", ["targetId": targetID, "flatten": true], inSession: false)
                    page.session.withLock { $0 = attached["sessionId"] as? String }
                    _ = try await page.command("Page.enable")
                    let value = try await body(page)
                    result.value.withLock { $0 = .success(value) }
                } catch {
                    result.value.withLock { $0 = .failure(error) }
                }
                try? await outbound.close(WebSocketErrorCode.normalClosure, reason: nil)
                group.cancelAll()
            }
        }
        guard let outcome = result.value.withLock({ $0 }) else { throw TestFailure("the DevTools connection ended before the test") }
        return try outcome.get()
    }

    /// The body's result, carried out of the connection's handler.
    private final class Outcome<T: Sendable>: Sendable {
        let value = Mutex<Result<T, any Error>?>(nil)
    }

    /// Sends a command (to the page's session unless `inSession` is false) and returns its result.
    @discardableResult
    func command(_ method: String, _ parameters: [String: any Sendable] = [:], inSession: Bool = true) async throws -> [String: Any] {
        let sessionID = inSession ? session.withLock { $0 } : nil
        let data: Data = try await withCheckedThrowingContinuation { continuation in
            let id: Int? = state.withLock { state in
                guard !state.closed else { return nil }
                defer { state.nextID += 1 }
                state.pending[state.nextID] = continuation
                return state.nextID
            }
            guard let id else { return continuation.resume(throwing: TestFailure("DevTools connection closed")) }
            var message: [String: Any] = ["id": id, "method": method, "params": parameters.mapValues { $0 as Any }]
            if let sessionID { message["sessionId"] = sessionID }
            let text = String(decoding: (try? JSONSerialization.data(withJSONObject: message)) ?? Data(), as: UTF8.self)
            let outbound = outbound
            Task {
                do { try await outbound.write(.text(text)) } catch { self.fail(id, error) }
            }
        }
        let response = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        if let error = response["error"] as? [String: Any] {
            throw TestFailure("\(method) failed: \(error["message"] as? String ?? "\(error)")")
        }
        return response["result"] as? [String: Any] ?? [:]
    }

    /// Evaluates `expression` in the page (awaiting a promise) and returns its JSON value.
    func evaluate(_ expression: String) async throws -> Any? {
        let result = try await command("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] as? [String: Any] {
            throw TestFailure("JavaScript failed: \((exception["exception"] as? [String: Any])?["description"] ?? exception)")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Evaluates a boolean expression until it is true.
    func waitUntil(_ what: String, timeout: Duration = .seconds(30), _ expression: String) async throws {
        try await eventually(timeout: timeout, what) { try await evaluate(expression) as? Bool == true }
    }

    /// Opens `url` and waits until the document at `landing` (by default `url`; another after
    /// a redirect) has loaded.
    func open(_ url: String, landing: String? = nil) async throws {
        try await command("Page.navigate", ["url": url])
        let expected = landing ?? url
        try await waitUntil("\(expected) to load", "document.readyState === 'complete' && location.href === \(Self.quoted(expected))")
    }

    /// Saves a PNG screenshot of the page to `path`.
    func screenshot(to path: URL) async throws {
        let result = try await command("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true])
        let text = try #require(result["data"] as? String)
        let data = try #require(Data(base64Encoded: text))
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: path)
    }

    /// A JavaScript string literal of `text`.
    static func quoted(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast().description
    }

    private func received(_ data: Data) async throws {
        guard let message = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
        if let id = message["id"] as? Int {
            let continuation = state.withLock { $0.pending.removeValue(forKey: id) }
            continuation?.resume(returning: data)
        } else if message["method"] as? String == "Page.javascriptDialogOpening" {
            let text = ((message["params"] as? [String: Any])?["message"] as? String) ?? ""
            state.withLock { $0.dialogs.append(text) }
            // Accept it (the confirm() returns true); the command's response is not awaited here.
            let id = state.withLock { state in defer { state.nextID += 1 }; return state.nextID }
            var reply: [String: Any] = ["id": id, "method": "Page.handleJavaScriptDialog", "params": ["accept": true]]
            if let sessionID = message["sessionId"] as? String { reply["sessionId"] = sessionID }
            try await outbound.write(.text(String(decoding: try JSONSerialization.data(withJSONObject: reply), as: UTF8.self)))
        }
    }

    private func fail(_ id: Int, _ error: any Error) {
        state.withLock { $0.pending.removeValue(forKey: id) }?.resume(throwing: error)
    }

    private func failAll(_ error: any Error) {
        let pending = state.withLock { state in
            state.closed = true
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        for continuation in pending { continuation.resume(throwing: error) }
    }
}
