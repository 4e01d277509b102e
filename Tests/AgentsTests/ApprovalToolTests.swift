import DBOS
import DBOSAgents
import DBOSTestSupport
import DBOSTesting
import Foundation
import Testing

/// The human-approval tool: the agent publishes its request and waits (a stored deadline) for a
/// decision sent to the workflow; no decision by the deadline reads as expired.
@Suite(.timeLimit(.minutes(5)))
struct ApprovalToolTests {
    static func agent(timeout: Duration) -> Agent {
        let model = ScriptedAgentModel { conversation, _ in
            guard let result = conversation.latestToolResults.first else {
                return ModelTurn(toolCalls: [ToolCall(id: "ask", name: "request_approval",
                                                      arguments: .object(["request": .string("delete the old logs")]))])
            }
            return ModelTurn(text: result.content)
        }
        return Agent(model: model, instructions: "Ask first.", tools: [.approval(timeout: timeout)])
    }

    @Test(arguments: Backend.available)
    func theAgentWaitsForTheDecision(backend: Backend) async throws {
        let agent = Self.agent(timeout: .seconds(60))
        let workflow = Workflow("approvingAgent") { (task: String) async throws -> AgentResult in try await agent.run(task) }
        try await withAgentRuntime(try await backend.freshDatabaseURL("agents_approval"), workflow) { dbos in
            let handle = try await dbos.start(workflow, "clean up")
            let request = try await dbos.event(AgentTool.approvalEventKey, of: handle.workflowID, as: ApprovalRequest.self, timeout: .seconds(30))
            #expect(request?.request == "delete the old logs")
            #expect(request?.topic == "approval")
            #expect((request?.deadline ?? 0) > Date().timeIntervalSince1970 + 30)
            #expect(try await handle.status().state == .pending)
            try await dbos.send(ApprovalDecision(approved: true, note: "go ahead"), to: handle.workflowID, topic: "approval")
            #expect(try await handle.result().answer == "approved: go ahead")
            #expect(try await handle.steps().map(\.functionName).contains("DBOS.recv"))
        }
    }

    /// A day passes on the test clock without a decision.
    @Test(arguments: Backend.available)
    func noDecisionByTheDeadlineIsExpired(backend: Backend) async throws {
        let agent = Self.agent(timeout: .seconds(86_400))
        let workflow = Workflow("expiringAgent") { (task: String) async throws -> AgentResult in try await agent.run(task) }
        try await withTestRuntime(database: .url(try await backend.freshDatabaseURL("agents_expiry")), register: { try $0.register(workflow) }) { runtime in
            let handle = try await runtime.dbos.start(workflow, "clean up")
            await runtime.clock.waitForSleepers()
            await runtime.advance(by: .seconds(86_400))
            #expect(try await handle.result().answer == "expired: no decision before the deadline")
        }
    }
}
