import DBOS
import Foundation
import Hummingbird

/// The JSON API under `/api`, for scripts and tests (and the pages' actions).
struct ConsoleAPI: Sendable {
    let client: DBOSClient
    let options: ConsoleOptions

    /// `GET /api/workflows`: the same filters and cursor as the list page (without payloads).
    func list(_ request: Request) async throws -> Response {
        let query = try WorkflowListQuery(QueryString.parse(request.uri.query), defaultLimit: options.pageSize)
        let page = try await query.fetch(client)
        return try Responses.json(WorkflowListJSON(workflows: page.workflows.map(WorkflowJSON.init), nextCursor: page.next?.text))
    }

    /// `GET /api/workflows/{id}`: one workflow with its payloads.
    func workflow(_ workflowID: String) async throws -> Response {
        guard let status = try await client.getWorkflowStatus(workflowID) else {
            throw ConsoleFailure.notFound("workflow '\(workflowID)' does not exist")
        }
        return try Responses.json(WorkflowJSON(status))
    }

    /// `GET /api/workflows/{id}/steps`: its recorded steps in order.
    func steps(_ workflowID: String) async throws -> Response {
        try await requireWorkflow(workflowID)
        return try Responses.json(try await client.listSteps(workflowID).map(StepJSON.init))
    }

    /// `GET /api/workflows/{id}/events`: its events (latest value per key), by key.
    func events(_ workflowID: String) async throws -> Response {
        try await requireWorkflow(workflowID)
        return try Responses.json(try await client.listEvents(workflowID))
    }

    /// `GET /api/workflows/{id}/streams`: its streams, each with its first 100 values.
    func streams(_ workflowID: String) async throws -> Response {
        try await requireWorkflow(workflowID)
        return try Responses.json(try await client.listStreams(workflowID))
    }

    private func requireWorkflow(_ workflowID: String) async throws {
        guard try await client.getWorkflowStatus(workflowID) != nil else {
            throw ConsoleFailure.notFound("workflow '\(workflowID)' does not exist")
        }
    }

    /// `GET /api/queues`: each queue's load (enqueued, running, oldest wait) and limits.
    func queues() async throws -> Response {
        let now = Date()
        return try Responses.json(try await client.queueStatistics().map { QueueJSON($0, now: now) })
    }

    /// `GET /api/schedules`: the stored schedules, by name.
    func schedules() async throws -> Response {
        try Responses.json(try await client.listSchedules().map(ScheduleJSON.init))
    }
}
