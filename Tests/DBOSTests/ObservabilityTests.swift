import DBOSTestSupport
import Foundation
import InMemoryTracing
import Logging
import MetricsTestKit
import Synchronization
import Testing
import Tracing
@testable import DBOS

/// Spans, metrics and log metadata, observed through in-memory backends: a tracer bound to the
/// test's task (`withTracer`) and a `TestMetrics` factory passed in the configuration, so tests
/// running in parallel do not see each other's telemetry.
@Suite(.timeLimit(.minutes(5))) struct ObservabilityTests {
    @Test(arguments: Backend.available)
    func aWorkflowsSpansFormOneTreeWithItsStepsAndChildren(backend: Backend) async throws {
        let tracer = InMemoryTracer(idGenerator: .uuids)
        let queue = Queue("traced")
        let child = Workflow("tracedChild") { (value: Int) async throws -> Int in
            try await DBOS.step("double") { value * 2 }
        }
        let parent = Workflow("tracedParent") { () async throws -> Int in
            let runtime = try #require(DBOS.currentRuntime)
            let first = try await DBOS.step("fetch") { 1 }
            let direct = try await runtime.run(child, 10)                         // op 2 (start) + 3 (getResult)
            let queued = try await runtime.enqueue(child, 100, on: queue)         // op 4
            return first + direct + (try await queued.result())                   // op 5
        }
        let url = try await backend.freshDatabaseURL()
        let (traceID, parentID) = try await withTracer(tracer) {
            try await withSpan("request") { request in
                try await withRuntime(url, child, parent, queues: [queue]) { dbos in
                    #expect(try await dbos.run(parent, options: WorkflowOptions(workflowID: "traced")) == 221)
                    // The caller's trace is stored as DBOS stores it: attributes -> dbos.otelContext.
                    let carrier = try await Self.storedCarrier(url, workflowID: "traced")
                    #expect(carrier[InMemoryTracer.traceIDKey] == request.context.inMemorySpanContext?.traceID)
                    return (try #require(request.context.inMemorySpanContext?.traceID),
                            try #require(request.context.inMemorySpanContext?.spanID))
                }
            }
        }
        let spans = tracer.finishedSpans
        func span(_ name: String) throws -> FinishedInMemorySpan {
            try #require(spans.first { $0.operationName == name }, "no span \(name)")
        }
        #expect(Set(spans.map(\.traceID)) == [traceID], "every span is in the caller's trace")

        let workflow = try span("tracedParent")
        #expect(workflow.parentSpanID == parentID)
        #expect(workflow.attributes.get("operationUUID") == .string("traced"))
        #expect(workflow.attributes.get("operationType") == .string("workflow"))
        #expect(workflow.attributes.get("status") == .string("SUCCESS"))
        #expect(workflow.attributes.get("executorID") == .string("local"))
        #expect(workflow.attributes.get("applicationVersion") == .string("test-version"))

        let fetch = try span("fetch")
        #expect(fetch.parentSpanID == workflow.spanID)
        #expect(fetch.attributes.get("functionID") == .int64(1))
        #expect(fetch.attributes.get("operationType") == .string("step"))

        // Each child's start operation is a child of the parent, its execution a child of that.
        let starts = spans.filter { $0.operationName == "tracedChild" && $0.attributes.get("operationType") == .string("childWorkflow") }
        #expect(starts.count == 2, "one start operation for the direct child, one for the queued one")
        #expect(starts.allSatisfy { $0.parentSpanID == workflow.spanID })
        let executions = spans.filter { $0.operationName == "tracedChild" && $0.attributes.get("operationType") == .string("workflow") }
        #expect(executions.count == 2)
        #expect(Set(executions.compactMap(\.parentSpanID)) == Set(starts.map(\.spanID)),
                "each child execution, direct or dequeued, is a child of the operation that started it")
        let queuedExecution = try #require(executions.first { $0.attributes.get("queueName") == .string("traced") })
        #expect(queuedExecution.attributes.get("operationUUID") == .string("traced-4"))
        let doubles = spans.filter { $0.operationName == "double" }
        #expect(Set(doubles.compactMap(\.parentSpanID)) == Set(executions.map(\.spanID)))
    }

    @Test(arguments: Backend.available)
    func aWorkflowKilledMidwayContinuesItsTraceWhenRecovered(backend: Backend) async throws {
        let run = try await FixtureRun(backend: backend)
        let crashed = try run.launch(["--traced", "--crash-after-step", "1"], environment: ["DBOS__APPVERSION": "test-version"])
        #expect(try await crashed.waitForExit() == 128 + SIGKILL)
        let traceLine = try #require(crashed.output.split(separator: "\n").first { $0.hasPrefix("TRACE ") })
        let traceID = String(traceLine.dropFirst("TRACE ".count))

        // The same workflow, recovered in this process, under this test's tracer.
        let fixtureWorkflow = Workflow("fixtureWorkflow") { (steps: Int) async throws -> [Int] in
            var results: [Int] = []
            for index in 1...steps { results.append(try await DBOS.step("step\(index)") { index * 10 }) }
            return results
        }
        let tracer = InMemoryTracer(idGenerator: .uuids)
        try await withTracer(tracer) {
            let dbos = try await launchRuntime(run.databaseURL, fixtureWorkflow)
            #expect(try await dbos.retrieve(run.workflowID, as: [Int].self).result() == [10, 20, 30])
            await dbos.shutdown()
        }
        let spans = tracer.finishedSpans
        let workflow = try #require(spans.first { $0.operationName == "fixtureWorkflow" })
        #expect(workflow.traceID == traceID, "the recovered execution joins the trace the killed process started")
        #expect(workflow.attributes.get("recoveryAttempt") == .int64(1))
        #expect(workflow.attributes.get("status") == .string("SUCCESS"))
        #expect(spans.filter { $0.operationName.hasPrefix("step") }.map(\.operationName).sorted() == ["step2", "step3"],
                "step1 is replayed, not run: it has no span")
        #expect(spans.filter { $0.operationName.hasPrefix("step") }.allSatisfy { $0.parentSpanID == workflow.spanID })
    }

    @Test(arguments: Backend.available)
    func attributeNamesCanFollowOpenTelemetryStyle(backend: Backend) async throws {
        let tracer = InMemoryTracer(idGenerator: .uuids)
        let workflow = Workflow("semconv") { () async throws -> Int in try await DBOS.step("one") { 1 } }
        try await withTracer(tracer) {
            let dbos = try DBOS(config: DBOSConfig(name: "semconv", systemDatabaseURL: try await backend.freshDatabaseURL(),
                                                   applicationVersion: "v", spanAttributeNames: .openTelemetry))
            try dbos.register(workflow)
            try await dbos.launch()
            #expect(try await dbos.run(workflow, options: WorkflowOptions(workflowID: "semconv-1")) == 1)
            await dbos.shutdown()
        }
        let span = try #require(tracer.finishedSpans.first { $0.operationName == "semconv" })
        #expect(span.attributes.get("dbos.operation.workflow_id") == .string("semconv-1"))
        #expect(span.attributes.get("dbos.application.version") == .string("v"))
        #expect(span.attributes.get("dbos.workflow.status") == .string("SUCCESS"))
        #expect(span.attributes.get("operationUUID") == nil)
    }

    @Test(arguments: Backend.available)
    func metricsCountWorkflowsStepsRetriesAndQueueDepth(backend: Backend) async throws {
        struct Flaky: Error {}
        let metrics = TestMetrics()
        let gate = Gate()
        let attempts = Mutex(0)
        let queue = Queue("metered", concurrency: 1)
        let succeed = Workflow("meteredOK") { () async throws -> Int in
            try await DBOS.step("flaky", retries: RetryPolicy(maxAttempts: 3, initialInterval: .milliseconds(1))) {
                let attempt = attempts.withLock { $0 += 1; return $0 }
                if attempt < 3 { throw Flaky() }
                return 1
            }
        }
        let fail = Workflow("meteredFail") { () async throws -> Int in
            try await DBOS.step("boom") { () async throws -> Int in throw Flaky() }
        }
        let blocked = Workflow("meteredBlocked") { () async throws -> Int in
            await gate.wait()
            return 0
        }
        let dbos = try DBOS(config: DBOSConfig(name: "metered", systemDatabaseURL: try await backend.freshDatabaseURL(),
                                               applicationVersion: "v", metricsFactory: metrics,
                                               queueMetricsInterval: .milliseconds(50)))
        try dbos.register(succeed, fail, blocked)
        try dbos.registerQueues([queue])
        try await dbos.launch()
        #expect(try await dbos.run(succeed) == 1)
        await #expect(throws: DBOSError.self) { try await dbos.run(fail) }

        let handles = try await (0..<4).asyncMap { _ in try await dbos.enqueue(blocked, on: queue) }
        // One runs (concurrency 1), three wait: the sampled depth says so.
        try await eventually("the queue depth gauge to read 3") {
            (try? metrics.expectGauge("dbos_queue_depth", [("queue", "metered")]).lastValue) == 3
        }
        #expect(try metrics.expectGauge("dbos_queue_oldest_age_seconds", [("queue", "metered")]).lastValue ?? -1 >= 0)
        gate.open()
        for handle in handles { _ = try await handle.result() }
        await dbos.shutdown()

        #expect(try metrics.expectCounter("dbos_workflows_started_total", [("workflow", "meteredOK"), ("origin", "new")]).totalValue == 1)
        #expect(try metrics.expectCounter("dbos_workflows_succeeded_total", [("workflow", "meteredOK")]).totalValue == 1)
        #expect(try metrics.expectCounter("dbos_workflows_failed_total", [("workflow", "meteredFail")]).totalValue == 1)
        #expect(try metrics.expectCounter("dbos_workflows_started_total", [("workflow", "meteredBlocked"), ("origin", "dequeued")]).totalValue == 4)
        #expect(try metrics.expectCounter("dbos_workflows_succeeded_total", [("workflow", "meteredBlocked")]).totalValue == 4)
        #expect(try metrics.expectCounter("dbos_step_retries_total", [("step", "flaky")]).totalValue == 2)
        #expect(try metrics.expectTimer("dbos_step_duration_seconds", [("step", "flaky"), ("outcome", "success")]).values.count == 1)
        #expect(try metrics.expectTimer("dbos_step_duration_seconds", [("step", "boom"), ("outcome", "error")]).values.count == 1)
        let batches = metrics.recorders(label: "dbos_checkpoint_batch_size").flatMap(\.values)
        #expect(!batches.isEmpty && batches.allSatisfy { $0 >= 1 }, "every checkpoint commit reports its batch size")
    }

    @Test(arguments: Backend.available)
    func workflowCodeLogsWithItsWorkflowAndStep(backend: Backend) async throws {
        let workflow = Workflow("logging") { () async throws -> [String] in
            let outside = DBOS.metadataProvider.get()
            let inside = try await DBOS.step("write") { () async throws -> [String] in
                let provided = DBOS.metadataProvider.get()
                let logger = DBOS.logger
                return ["\(provided["stepName"] ?? "-")", "\(provided["stepID"] ?? "-")", "\(logger[metadataKey: "stepName"] ?? "-")",
                        "\(logger[metadataKey: "workflowID"] ?? "-")"]
            }
            return ["\(outside["workflowID"] ?? "-")", "\(outside["workflowName"] ?? "-")", "\(outside["stepName"] ?? "-")"] + inside
        }
        try await withRuntime(try await backend.freshDatabaseURL(), workflow) { dbos in
            let lines = try await dbos.run(workflow, options: WorkflowOptions(workflowID: "logged"))
            #expect(lines == ["logged", "logging", "-", "write", "1", "write", "logged"])
        }
        #expect(DBOS.metadataProvider.get().isEmpty, "outside a workflow nothing is added")
    }

    /// The `dbos.otelContext` object stored in a workflow's `attributes`, read with plain SQL.
    static func storedCarrier(_ url: String, workflowID: String) async throws -> [String: String] {
        let client = try await DBOSClient(databaseURL: url)
        let database = try #require(client.systemDatabase as? SQLSystemDatabase)
        let rows = try await database.driver.read(
            "SELECT CAST(attributes AS TEXT) AS attributes FROM \(database.tables.status) WHERE workflow_uuid = \(workflowID)")
        await client.close()
        let text: String? = try rows.first?.decode("attributes")
        let object = try JSONSerialization.jsonObject(with: Data((text ?? "{}").utf8)) as? [String: Any]
        return (object?["dbos.otelContext"] as? [String: String]) ?? [:]
    }
}

extension InMemoryTracer.IDGenerator {
    /// Random IDs, so that traces from another process or another test never collide.
    static var uuids: Self { Self(nextTraceID: { UUID().uuidString }, nextSpanID: { UUID().uuidString }) }
}
