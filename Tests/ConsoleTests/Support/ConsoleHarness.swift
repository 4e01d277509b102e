import DBOS
import DBOSConsole
import DBOSTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// A launched DBOS runtime with `workflows`, for the test's body; shut down after it (running
/// workflows are cancelled at once).
func withRuntime<T>(_ url: String, _ workflows: any WorkflowDefinition...,
                    body: (DBOS) async throws -> T) async throws -> T {
    var config = DBOSConfig(name: "console-test", systemDatabaseURL: url, applicationVersion: "console-test")
    config.shutdownTimeout = .zero
    let dbos = try DBOS(config: config)
    try dbos.register(workflows)
    try await dbos.launch()
    do {
        let result = try await body(dbos)
        await dbos.shutdown()
        return result
    } catch {
        await dbos.shutdown()
        throw error
    }
}

/// The console over `url`, served on a free port of 127.0.0.1 for `body` (real HTTP).
func withConsole<T: Sendable>(_ url: String, options: ConsoleOptions = .init(),
                              _ body: @escaping @Sendable (any TestClientProtocol, DBOSClient) async throws -> T) async throws -> T {
    let client = try await DBOSClient(databaseURL: url)
    do {
        var logger = Logger(label: "console-test")
        logger.logLevel = .warning
        let console = try WebConsole(client: client, options: options, logger: logger)
        let app = try ConsoleServer.application(console, port: 0, logger: logger)
        let result = try await app.test(.live) { http in try await body(http, client) }
        await client.close()
        return result
    } catch {
        await client.close()
        throw error
    }
}

/// A response's status, content type and body text.
struct Fetched: Sendable {
    var status: HTTPResponse.Status
    var contentType: String
    var body: String
    var headers: HTTPFields

    /// The body parsed as a JSON object.
    var object: [String: Any] {
        get throws {
            guard let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
                throw TestFailure("not a JSON object: \(body)")
            }
            return object
        }
    }

    /// The body parsed as a JSON array of objects.
    var objects: [[String: Any]] {
        get throws {
            guard let array = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]] else {
                throw TestFailure("not a JSON array: \(body)")
            }
            return array
        }
    }
}

extension TestClientProtocol {
    /// Sends a request and returns the response.
    func fetch(_ uri: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:]) async throws -> Fetched {
        try await execute(uri: uri, method: method, headers: headers, body: nil) { response in
            Fetched(status: response.status, contentType: response.headers[.contentType] ?? "",
                    body: String(buffer: response.body), headers: response.headers)
        }
    }

    /// Sends a console action (`POST /api/workflows/{id}/{action}` with its header).
    func action(_ action: String, _ workflowID: String, query: String = "", headers: HTTPFields = [:]) async throws -> Fetched {
        var headers = headers
        headers[HTTPField.Name("X-DBOS-Console")!] = "1"
        let id = workflowID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? workflowID
        return try await fetch("/api/workflows/\(id)/\(action)\(query)", method: .post, headers: headers)
    }
}
