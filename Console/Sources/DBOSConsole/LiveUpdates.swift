import DBOS
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `GET /events?id=A&id=B...`: a server-sent-events stream of the named workflows' statuses.
/// It reads them every poll interval and sends `{"workflow_id": ..., "status": ...}` for each
/// one whose status changed (all of them first; `DELETED` when one disappears). It ends when
/// the browser goes away, when the server shuts down, or after ten minutes (a browser's
/// `EventSource` then reconnects by itself).
struct LiveUpdates: Sendable {
    let client: DBOSClient
    let interval: Duration

    static let maximumWorkflows = 500
    static let lifetime = Duration.seconds(600)

    struct Change: Encodable {
        var workflowID: String
        var status: String
        enum CodingKeys: String, CodingKey { case workflowID = "workflow_id", status }
    }

    func response(_ request: Request) throws -> Response {
        let ids = Array(Set(QueryString.parse(request.uri.query)["id"] ?? []).filter { !$0.isEmpty })
        guard ids.count <= Self.maximumWorkflows else {
            throw ConsoleFailure.badRequest("at most \(Self.maximumWorkflows) workflows per stream, not \(ids.count)")
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        let client = client, interval = interval
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var last: [String: String] = [:]
            let end = ContinuousClock.now + Self.lifetime
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            while ContinuousClock.now < end, !Task.isCancelled, !Task.isShuttingDownGracefully {
                var text = ""
                if !ids.isEmpty {
                    let rows = try await client.listWorkflows(ListWorkflowsFilter(workflowIDs: ids, loadPayloads: false))
                    var current: [String: String] = [:]
                    for row in rows { current[row.workflowID] = row.state.rawValue }
                    for id in ids.sorted() {
                        let status = current[id] ?? (last[id] == nil ? nil : "DELETED")
                        guard let status, status != last[id] else { continue }
                        last[id] = status
                        let data = try JSONEncoder().encode(Change(workflowID: id, status: status))
                        text += "data: \(String(decoding: data, as: UTF8.self))\n\n"
                    }
                }
                // A comment line when nothing changed, so a closed connection is noticed.
                try await writer.write(ByteBuffer(string: text.isEmpty ? ": waiting\n\n" : text))
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            }
            try await writer.finish(nil)
        })
    }
}
