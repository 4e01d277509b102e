import DBOSTestSupport
import Foundation
import Testing

/// The otel-export example in a real process: swift-otel exports DBOS's spans and metrics over
/// OTLP/HTTP (JSON) to a collector stand-in in the test; the example flushes before it exits,
/// so everything is there once the process has ended.
@Suite(.timeLimit(.minutes(5))) struct OTelExportTests {
    @Test(arguments: Backend.available)
    func spansAndMetricsLeaveTheProcess(backend: Backend) async throws {
        try await OTLPCollector.run { collector, endpoint in
            let run = try await ChildProcess.run(
                "dbos-otel-example", ["--database-url", try await backend.freshDatabaseURL("otel")],
                environment: Self.exporterEnvironment(endpoint), in: try ScratchDirectory.fresh("otel-export"))
            #expect(run.status == 0, "\(run.output)")
            let workflowID = try Self.match(#"Workflow (checkout-[0-9a-f]+):"#, in: run.stdout)
            let traceID = try Self.match(#"Trace ID: ([0-9a-f]{32})"#, in: run.stdout)

            let exported = try OTLPJSON.spans(in: collector.received("/v1/traces"))
            try Self.checkTrace(exported.map(\.span), traceID: traceID, workflowID: workflowID)
            #expect(exported.allSatisfy { $0.resource.value(of: "service.name") == "dbos-otel-example" })

            let metrics = try OTLPJSON.metrics(in: collector.received("/v1/metrics"))
            let started = try #require(metrics["dbos_workflows_started_total"], "metrics: \(metrics.keys.sorted())")
            #expect(Set(started.pointAttributes.compactMap { $0.value(of: "workflow") }) == ["checkout", "sendReceipt"])
            #expect(metrics["dbos_workflows_succeeded_total"] != nil, "metrics: \(metrics.keys.sorted())")
            let steps = try #require(metrics["dbos_step_duration_seconds"], "metrics: \(metrics.keys.sorted())")
            #expect(steps.histogram != nil, "a timer is exported as a histogram")
            #expect(Set(steps.pointAttributes.compactMap { $0.value(of: "step") }) == ["reserveStock", "chargeCard", "renderReceipt"])
        }
    }

    /// One trace, the caller's: the request span, the workflow's span under it, the steps'
    /// spans under that, and the child workflow (its start operation, then its execution).
    static func checkTrace(_ spans: [OTLPJSON.Span], traceID: String, workflowID: String) throws {
        let names = spans.map(\.name).sorted()
        func only(_ name: String, type: String? = nil) throws -> OTLPJSON.Span {
            let matching = spans.filter { $0.name == name && (type == nil || $0.attribute("dbos.operation.type") == type) }
            guard matching.count == 1 else { throw TestFailure("\(matching.count) spans \(name) (\(type ?? "any")) among \(names)") }
            return matching[0]
        }
        #expect(Set(spans.map(\.traceId)) == [traceID], "every span is in the caller's trace")

        let request = try only("checkout request")
        #expect(request.parentSpanId == nil || request.parentSpanId == "")
        let workflow = try only("checkout", type: "workflow")
        #expect(workflow.attribute("dbos.operation.workflow_id") == workflowID)
        #expect(workflow.attribute("dbos.workflow.status") == "SUCCESS")
        #expect(workflow.parentSpanId == request.spanId, "the workflow joins the caller's span")
        for (position, name) in ["reserveStock", "chargeCard"].enumerated() {
            let step = try only(name)
            #expect(step.attribute("dbos.operation.workflow_id") == workflowID, "\(name)")
            #expect(step.attribute("dbos.operation.type") == "step", "\(name)")
            #expect(step.attribute("dbos.operation.function_id") == "\(position + 1)", "\(name)")
            #expect(step.parentSpanId == workflow.spanId, "\(name)")
        }

        let start = try only("sendReceipt", type: "childWorkflow")
        #expect(start.parentSpanId == workflow.spanId)
        let child = try only("sendReceipt", type: "workflow")
        let childID = try #require(child.attribute("dbos.operation.workflow_id"))
        #expect(childID.hasPrefix("\(workflowID)-"), "a child's ID is <parent>-<operation>: \(childID)")
        #expect(child.parentSpanId == start.spanId, "the child's execution is a child of its start")
        let receipt = try only("renderReceipt")
        #expect(receipt.attribute("dbos.operation.workflow_id") == childID)
        #expect(receipt.parentSpanId == child.spanId)
    }

    /// The exporter's settings: this collector, JSON, and nothing inherited from the test's
    /// environment that could send the telemetry elsewhere or turn it off.
    static func exporterEnvironment(_ endpoint: String) -> [String: String?] {
        var environment: [String: String?] = [:]
        for name in ProcessInfo.processInfo.environment.keys where name.hasPrefix("OTEL_") {
            environment.updateValue(nil, forKey: name)
        }
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
        environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/json"
        return environment
    }

    /// The first capture group of `pattern` in `text`.
    static func match(_ pattern: String, in text: String) throws -> String {
        let regex = try NSRegularExpression(pattern: pattern)
        guard let found = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(found.range(at: 1), in: text) else {
            throw TestFailure("no /\(pattern)/ in:\n\(text)")
        }
        return String(text[range])
    }
}
