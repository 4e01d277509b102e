import AgentSupport
import DBOS
import DBOSAgents
import Foundation
import Hummingbird

/// One agent as `GET /agents` shows it.
struct AgentView: Codable, Sendable {
    var id: String
    /// The workflow's status (`PENDING`, `SUCCESS`, `ERROR`, ...).
    var workflowStatus: String
    /// `drafting` until the agent asks for approval, `waiting` while it waits, then how the wait
    /// ended (`approved`, `rejected`, `expired`), or the workflow's status in lower case.
    var state: String
    /// True while the agent waits for a human decision.
    var waitingForHuman: Bool
    var task: String?
    var proposal: String?
    var deadline: Double?
    var secondsLeft: Double?
    var note: String?
    var result: String?
    var createdAt: Double
}

/// `POST /agents` reply.
struct CreatedAgent: ResponseEncodable {
    var id: String
}

/// `POST /agents/{id}/respond` reply.
struct DecisionSent: ResponseEncodable {
    var id: String
    var approved: Bool
}

/// The HTTP routes over one launched runtime.
struct InboxService: Sendable {
    let dbos: DBOS

    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/") { _, _ in try await page() }
        router.get("agents") { _, _ in try await agents() }
        router.post("agents") { request, context in
            EditedResponse(status: .created, response: try await start(try await request.decode(as: AgentRequest.self, context: context)))
        }
        router.post("agents/:id/respond") { request, context in
            try await respond(to: try context.parameters.require("id"), try await request.decode(as: ApprovalDecision.self, context: context))
        }
        return router
    }

    func start(_ request: AgentRequest) async throws -> CreatedAgent {
        var request = request
        guard !request.task.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw HTTPError(.badRequest, message: "\"task\" must not be empty")
        }
        if let wait = request.waitSeconds, !(wait > 0) {
            throw HTTPError(.badRequest, message: "\"waitSeconds\" must be positive, not \(wait)")
        }
        request.waitSeconds = request.waitSeconds ?? Inbox.defaultWaitSeconds.value
        let id = "agent-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await dbos.start($inboxAgent, request, options: WorkflowOptions(workflowID: id))
        return CreatedAgent(id: id)
    }

    /// Every agent, newest first: workflow introspection, each one's pending approval request,
    /// and a finished one's outcome.
    func agents() async throws -> [AgentView] {
        let workflows = try await dbos.listWorkflows(ListWorkflowsFilter(name: $inboxAgent.name, limit: 200, sortDescending: true))
        let now = Date().timeIntervalSince1970
        var views: [AgentView] = []
        for workflow in workflows {
            let request = try await dbos.event(AgentTool.approvalEventKey, of: workflow.workflowID, as: ApprovalRequest.self, timeout: .zero)
            let task = try await dbos.event(Inbox.taskKey, of: workflow.workflowID, as: String.self, timeout: .zero)
            let outcome = workflow.state == .success ? try workflow.decodedOutput(as: AgentOutcome.self) : nil
            let waiting = workflow.state.isActive && request != nil
            let state = outcome?.state.rawValue ?? (waiting ? "waiting" : workflow.state.isActive ? "drafting" : workflow.state.rawValue.lowercased())
            views.append(AgentView(
                id: workflow.workflowID, workflowStatus: workflow.state.rawValue, state: state, waitingForHuman: waiting,
                task: outcome?.task ?? task, proposal: outcome?.proposal ?? request?.request, deadline: request?.deadline,
                secondsLeft: waiting ? request.map { max(0, $0.deadline - now) } : nil,
                note: outcome?.note, result: outcome?.result, createdAt: workflow.createdAt.timeIntervalSince1970))
        }
        return views
    }

    func respond(to id: String, _ decision: ApprovalDecision) async throws -> DecisionSent {
        guard let workflow = try await dbos.getWorkflowStatus(id), workflow.name == $inboxAgent.name else {
            throw HTTPError(.notFound, message: "no agent \(id)")
        }
        let request = try await dbos.event(AgentTool.approvalEventKey, of: id, as: ApprovalRequest.self, timeout: .zero)
        guard workflow.state.isActive, let request else {
            throw HTTPError(.conflict, message: "agent \(id) is not waiting for a decision (status: \(workflow.state.rawValue))")
        }
        try await dbos.send(decision, to: id, topic: request.topic)
        return DecisionSent(id: id, approved: decision.approved)
    }

    func page() async throws -> Response {
        let html = InboxPage.render(try await agents())
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
