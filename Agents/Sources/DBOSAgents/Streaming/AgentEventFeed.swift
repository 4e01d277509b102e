public import DBOS
import Foundation

/// An agent's stream as server-sent events, for an HTTP endpoint that lets clients follow an
/// agent live. Each event's `id` is its offset in the stream; a client that reconnects with
/// `Last-Event-ID` gets the events after it, and never a token it already has (a model turn
/// re-run after a crash writes its tokens again; they are skipped by position).
///
/// ```swift
/// router.get("/agents/:id/events") { request, context in
///     let last = request.headers[values: "Last-Event-ID"].first.flatMap(Int.init)
///     let events = AgentEventFeed(dbos).serverSentEvents(of: id, after: last)
///     // write each string of `events` to the response body (content type text/event-stream)
/// }
/// ```
public struct AgentEventFeed: Sendable {
    private let read: @Sendable (_ key: String, _ workflowID: String) -> AsyncThrowingStream<AgentStreamEvent, any Error>

    /// A feed that reads through a launched runtime.
    public init(_ dbos: DBOS) {
        read = { key, id in dbos.stream(key, of: id, as: AgentStreamEvent.self) }
    }

    /// A feed that reads through a client (a process that runs no workflows).
    public init(client: DBOSClient) {
        read = { key, id in client.stream(key, of: id, as: AgentStreamEvent.self) }
    }

    /// The events of workflow `workflowID`'s agent stream after offset `lastEventID` (all when
    /// nil), each with its offset, as they are written, without repeated tokens. Finishes when
    /// the agent is done (or its workflow ended).
    public func events(of workflowID: String, key: String = Agent.defaultStreamKey, after lastEventID: Int? = nil)
        -> AsyncThrowingStream<(offset: Int, event: AgentStreamEvent), any Error> {
        let source = read(key, workflowID)
        return AsyncThrowingStream { continuation in
            let task = Task {
                var delivered: [Int: Int] = [:]   // turn -> tokens the client has
                var offset = 0
                do {
                    for try await event in source {
                        defer { offset += 1 }
                        let isNew: Bool
                        if event.kind == "token" {
                            isNew = event.index >= delivered[event.turn, default: 0]
                            if isNew { delivered[event.turn] = event.index + 1 }
                        } else {
                            isNew = true
                        }
                        if isNew, offset > (lastEventID ?? -1) { continuation.yield((offset, event)) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// ``events(of:key:after:)`` as server-sent events (`id`, `event` and `data` lines; the
    /// data is the ``AgentStreamEvent`` as JSON).
    public func serverSentEvents(of workflowID: String, key: String = Agent.defaultStreamKey, after lastEventID: Int? = nil)
        -> AsyncThrowingStream<String, any Error> {
        let events = events(of: workflowID, key: key, after: lastEventID)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await (offset, event) in events {
                        continuation.yield(Self.format(event, offset: offset))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// One event in the text/event-stream format.
    public static func format(_ event: AgentStreamEvent, offset: Int) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(event)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return "id: \(offset)\nevent: \(event.kind)\ndata: \(data)\n\n"
    }
}
