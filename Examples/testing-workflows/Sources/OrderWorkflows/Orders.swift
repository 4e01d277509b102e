import DBOS
import Synchronization

/// The calls that reach the outside world (a warehouse, a payment service, a carrier), counted
/// so that a test can tell which step bodies ran and which were replayed from the database.
public final class OutsideWorld: Sendable {
    private let calls = Mutex<[String: Int]>([:])

    /// How often `service` was called about `item`.
    public func calls(to service: String, about item: String) -> Int { calls.withLock { $0["\(service) \(item)", default: 0] } }

    func call(_ service: String, about item: String) { calls.withLock { $0["\(service) \(item)", default: 0] += 1 } }
}

/// This process's outside world.
public let outsideWorld = OutsideWorld()

@Step public func reserveStock(_ item: String) async throws -> String {
    outsideWorld.call("warehouse", about: item)
    return "reserved \(item)"
}

@Step public func chargeCard(_ item: String) async throws -> String {
    outsideWorld.call("payments", about: item)
    return "charged for \(item)"
}

@Step public func shipOrder(_ item: String) async throws -> String {
    outsideWorld.call("carrier", about: item)
    return "shipped \(item)"
}

/// An order: reserve, charge, ship. Each step is checkpointed, so after a crash the order
/// resumes at the first step that did not finish and no card is charged twice.
@Workflow public func processOrder(_ item: String) async throws -> String {
    let reservation = try await reserveStock(item)
    let payment = try await chargeCard(item)
    let shipment = try await shipOrder(item)
    return [reservation, payment, shipment].joined(separator: ", ")
}

/// A manager's answer to a refund request.
public enum RefundDecision: String, Codable, Sendable {
    case approved, rejected, expired
}

/// Waits up to a day for a manager to approve a refund (`send(_:to:topic:)` with topic
/// `"decision"` and `"approve"` or `"reject"`); without an answer the request expires.
@Workflow public func requestRefund(_ orderID: String) async throws -> RefundDecision {
    switch try await DBOS.receive(String.self, topic: "decision", timeout: .seconds(86_400)) {
    case "approve": return .approved
    case nil: return .expired
    default: return .rejected
    }
}

/// Every workflow of the application, for `register`.
public let orderWorkflows: [any WorkflowDefinition] = [$processOrder, $requestRefund]
