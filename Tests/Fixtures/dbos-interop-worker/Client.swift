import DBOS
import Foundation
import InMemoryTracing
import Tracing

/// `client`: enqueues `--workflow` with the JSON array `--args` on `--queue` through
/// ``DBOSClient`` (no runtime, nothing registered), inside a span "enqueue" of an in-memory
/// tracer, waits for the result and prints `TRACE <trace ID>`, `WORKFLOW <id>` then
/// `RESULT <json>`. The trace is stored with the workflow (`attributes` → `dbos.otelContext`).
func runClient(_ options: Options) async throws {
    if options.debounceKey != nil { return try await debounce(options) }
    InstrumentationSystem.bootstrap(InMemoryTracer(idGenerator: InMemoryTracer.IDGenerator(
        nextTraceID: { UUID().uuidString.lowercased() }, nextSpanID: { UUID().uuidString.lowercased() })))
    try await withSpan("enqueue") { span in
        say("TRACE \(span.context.inMemorySpanContext?.traceID ?? "none")")
        try await enqueueAndWait(options)
    }
}

private func enqueueAndWait(_ options: Options) async throws {
    let arguments = try JSONValue(parsing: options.arguments).decode(as: [JSONValue].self, what: "--args")
    let client = try await DBOSClient(databaseURL: options.databaseURL)
    do {
        let enqueueOptions = EnqueueOptions(workflowID: options.workflowID)
        let name = options.workflowName, queue = options.queue
        let id: String
        switch arguments.count {
        case 0: id = try await client.enqueue(workflowName: name, queue: queue, options: enqueueOptions)
        case 1: id = try await client.enqueue(workflowName: name, queue: queue, arguments[0], options: enqueueOptions)
        case 2: id = try await client.enqueue(workflowName: name, queue: queue, arguments[0], arguments[1], options: enqueueOptions)
        case 3:
            id = try await client.enqueue(workflowName: name, queue: queue, arguments[0], arguments[1], arguments[2],
                                          options: enqueueOptions)
        default: Options.fail("--args takes at most 3 arguments, got \(arguments.count)")
        }
        say("WORKFLOW \(id)")
        let result = try await client.result(of: id, as: JSONValue.self, timeout: .seconds(options.timeoutSeconds))
        say("RESULT \(try PortableJSON.encode(result))")
        await client.close()
    } catch {
        await client.close()
        throw error
    }
}

/// `client --debounce-key K`: debounces `--workflow` with `--args` on `--queue` for
/// `--debounce-period` seconds through ``DBOSClient`` and prints `WORKFLOW <id>` (no wait).
private func debounce(_ options: Options) async throws {
    let arguments = try JSONValue(parsing: options.arguments).decode(as: [JSONValue].self, what: "--args")
    guard arguments.count == 2, let key = options.debounceKey else { Options.fail("--debounce-key takes --args with 2 values") }
    let client = try await DBOSClient(databaseURL: options.databaseURL)
    do {
        let id = try await client.debounce(workflowName: options.workflowName, key: key,
                                           period: .milliseconds(Int64(options.debouncePeriodSeconds * 1000)),
                                           arguments[0], arguments[1], options: DebounceOptions(queueName: options.queue))
        say("WORKFLOW \(id)")
        await client.close()
    } catch {
        await client.close()
        throw error
    }
}
