// The traced work: a checkout workflow of two steps and a child workflow, started inside the
// caller's span so that every DBOS span lands in the caller's trace.
import DBOS
import Foundation
import OTel
import ServiceLifecycle
import Tracing

@Step func reserveStock(_ item: String) async throws -> String {
    "1 × \(item) reserved"
}

@Step func chargeCard(_ item: String) async throws -> String {
    "card charged for \(item)"
}

@Step func renderReceipt(_ payment: String) async throws -> String {
    "receipt: \(payment)"
}

/// A child workflow: started by `checkout`, it gets its own workflow span in the same trace.
@Workflow func sendReceipt(_ payment: String) async throws -> String {
    try await renderReceipt(payment)
}

/// The workflow: each step is a span, the child's start and its execution are spans too.
@Workflow func checkout(_ item: String) async throws -> String {
    let reservation = try await reserveStock(item)
    let payment = try await chargeCard(item)
    let receipt = try await sendReceipt(payment)   // calling a @Workflow inside a workflow starts a child
    return "\(reservation); \(receipt)"
}

/// The application's one request, as a service: it waits for DBOS to launch, runs the checkout
/// workflow inside a span of its own, prints the workflow and trace IDs, and returns, which
/// shuts the group down.
struct CheckoutRequest: Service {
    let dbos: DBOS
    let item: String

    func run() async throws {
        _ = try await dbos.waitUntilLaunched()
        try await withSpan("checkout request", ofKind: .server) { span in
            let workflowID = "checkout-\(UUID().uuidString.prefix(8).lowercased())"
            let result = try await dbos.run($checkout, item, options: WorkflowOptions(workflowID: workflowID))
            print("Workflow \(workflowID): \(result)")
            print("Trace ID: \(span.context.otelTraceID ?? "none (tracing disabled)")")
        }
    }
}
