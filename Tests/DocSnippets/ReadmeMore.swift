import DBOS
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import Tracing

func readmeWaitingAndQueues(dbos: DBOS, url: String, token: String, workflowID: String, tenantID: String) async throws
    -> (String?, WorkflowHandle<Int>) {
    // snippet: readme-waiting-and-queues
    // In a workflow: wait up to a day for a human; the deadline survives restarts.
    let answer: String? = try await DBOS.receive(String.self, topic: "approval", timeout: .seconds(86_400))
    try await DBOS.setEvent("status", to: "waiting")          // readers: dbos.event("status", of: id, as: String.self)
    try await DBOS.write(token, toStream: "tokens")           // readers: for try await t in dbos.stream("tokens", of: id, as: String.self)
    try await dbos.send("approved", to: workflowID, topic: "approval")   // from anywhere

    // Durable queues shared by every process on the same database.
    let indexing = Queue("indexing_queue", workerConcurrency: 10, concurrency: 50,
                         rateLimit: RateLimit(limit: 100, period: .seconds(60)))
    try dbos.register(queues: indexing)                         // before launch()
    let handle = try await dbos.enqueue($indexDocument, url, on: indexing,
                                        options: .init(deduplicationID: url, priority: 1, timeout: .seconds(600)))
    // Per-tenant budgets: each partition key gets its own limits (a key is required on enqueue).
    let perTenant = Queue("tenants", workerConcurrency: 20, partitionConcurrency: 2,
                          partitionRateLimit: RateLimit(limit: 10, period: .seconds(1)))
    _ = try await dbos.enqueue($indexDocument, url, on: perTenant, options: .init(partitionKey: tenantID))

    // Operate on a handle (from `start`, `enqueue`, or `retrieve(id)` in any process):
    try await handle.cancel(); try await handle.resume()      // resume from the last completed step
    let fork = try await handle.fork(fromStep: 4)             // steps 1-3 reuse their recorded outputs
    // end snippet
    return (answer, fork)
}

func readmeSchedule(dbos: DBOS) throws {
    // snippet: readme-schedule
    let report = Workflow("report") { (scheduledAt: Date, team: String) async throws -> Int in
        try await DBOS.step("countOpenTickets") { team.count }
    }
    try dbos.register(report)
    try dbos.schedule("report", cron: "0 0 2 * * *", workflow: report, context: "infra")  // before launch()
    // end snippet
}

func readmeServiceGroup(server: any Service, logger: Logger) async throws {
    // snippet: readme-service-group
    let dbos = try DBOS(config: .init(name: "app"))
    try dbos.register($indexDocument)
    let group = ServiceGroup(services: [dbos, server], gracefulShutdownSignals: [.sigterm], logger: logger)
    try await group.run()          // a server awaits `try await dbos.waitUntilLaunched()` before serving
    // end snippet
}

/// The workflow of the tracing snippet.
let placeOrder = Workflow("placeOrder") { (order: String) async throws -> Bool in
    try await DBOS.step("charge") { !order.isEmpty }
}

func readmeTracing(otelTracer: any Tracer, dbos: DBOS, order: String) async throws -> WorkflowHandle<Bool> {
    // snippet: readme-tracing
    InstrumentationSystem.bootstrap(otelTracer)          // or withTracer(tracer) { try await dbos.launch() ... }
    let handle = try await withSpan("POST /orders") { _ in try await dbos.start(placeOrder, order) }   // joins this trace
    // end snippet
    return handle
}

func readmeLogging() {
    // snippet: readme-logging
    LoggingSystem.bootstrap(StreamLogHandler.standardOutput, metadataProvider: DBOS.metadataProvider)
    // end snippet
}
