import DBOS
import Foundation
import Hummingbird

/// The console's HTML pages.
struct ConsolePages: Sendable {
    let client: DBOSClient
    let options: ConsoleOptions

    private var base: String { options.normalizedBasePath }
    private var layout: PageLayout { PageLayout(base: base, readOnly: options.readOnly) }

    /// `/`: the workflows, newest first, with filters and a next-page link.
    func workflows(_ request: Request) async throws -> Response {
        let query = try WorkflowListQuery(QueryString.parse(request.uri.query), defaultLimit: options.pageSize)
        let page = try await query.fetch(client)
        return Responses.html(layout.render(title: "Workflows", body: WorkflowListView(base: base, query: query, page: page).html))
    }

    /// `/workflows/{id}`: one workflow, its steps on a timeline, its events, streams, children and actions.
    func workflow(_ workflowID: String) async throws -> Response {
        guard let status = try await client.getWorkflowStatus(workflowID) else {
            throw ConsoleFailure.notFound("workflow '\(workflowID)' does not exist")
        }
        let steps = try await client.listSteps(workflowID)
        let children = try await client.listWorkflows(ListWorkflowsFilter(parentWorkflowID: workflowID, loadPayloads: false))
        let messages = MessagesView(events: try await client.listEvents(workflowID),
                                    streams: try await client.listStreams(workflowID, limit: MessagesView.streamValuesShown))
        let view = WorkflowDetailView(base: base, readOnly: options.readOnly, status: status, steps: steps, children: children,
                                      messages: messages)
        return Responses.html(layout.render(title: "Workflow \(workflowID)", body: view.html))
    }

    /// `/queues`: each queue's load and limits, and the stored schedules.
    func queues() async throws -> Response {
        let view = QueuesView(base: base, queues: try await client.queueStatistics(), schedules: try await client.listSchedules(), now: Date())
        return Responses.html(layout.render(title: "Queues", body: view.html))
    }
}
