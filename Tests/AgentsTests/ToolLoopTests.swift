import DBOS
import DBOSAgents
import DBOSTestSupport
import Foundation
import Testing

/// The loop's tool calls: several calls of one turn run together as steps in the model's order;
/// a call over its timeout fails with a clear error, retried as its policy says.
@Suite(.timeLimit(.minutes(5)))
struct ToolLoopTests {
    struct Item: Codable, Sendable { var name: String }

    @Test(arguments: Backend.available)
    func theCallsOfOneTurnRunInParallelInTheModelsOrder(backend: Backend) async throws {
        let secondStarted = Gate()
        // `first` finishes only once `second` has started: the turn deadlocks unless they run together.
        let first = AgentTool.function("first", description: "Waits for second.") { (item: Item) async throws -> String in
            await secondStarted.wait()
            return "first:\(item.name)"
        }
        let second = AgentTool.function("second", description: "Opens the gate.") { (item: Item) async throws -> String in
            secondStarted.open()
            return "second:\(item.name)"
        }
        let model = ScriptedAgentModel { conversation, _ in
            let results = conversation.latestToolResults
            if results.isEmpty {
                return ModelTurn(toolCalls: [
                    ToolCall(id: "a", name: "first", arguments: .object(["name": .string("x")])),
                    ToolCall(id: "b", name: "second", arguments: .object(["name": .string("y")])),
                    ToolCall(id: "c", name: "first", arguments: .object(["name": .string("z")])),
                ])
            }
            return ModelTurn(text: results.map { "\($0.toolCallID ?? "?")=\($0.content)" }.joined(separator: " "))
        }
        let agent = Agent(model: model, instructions: "", tools: [first, second])
        let workflow = Workflow("parallelAgent") { (task: String) async throws -> AgentResult in try await agent.run(task) }
        try await withAgentRuntime(try await backend.freshDatabaseURL("agents_parallel"), workflow) { dbos in
            let handle = try await dbos.start(workflow, "go")
            let result = try await handle.result()
            #expect(result.answer == "a=first:x b=second:y c=first:z")
            let steps = try await handle.steps()
            #expect(steps.map(\.functionID) == Array(1...7))
            #expect(steps.map(\.functionName) == ["agent.model", "tool:first", "tool:second", "tool:first", "agent.model",
                                                   "DBOS.writeStream", "DBOS.closeStream"])
            #expect(steps[1].output?.contains("first:x") == true && steps[2].output?.contains("second:y") == true
                    && steps[3].output?.contains("first:z") == true)
        }
    }

    @Test(arguments: Backend.available)
    func aToolOverItsTimeoutFailsAndIsRetried(backend: Backend) async throws {
        let tally = Tally()
        let slow = AgentTool.function("slow", description: "Never answers in time.",
                                      policy: StepPolicy(retries: quickRetries(2), timeout: .milliseconds(100))) { (_: Item) async throws -> String in
            tally.hit("slow")
            try await Task.sleep(for: .seconds(30))
            return "too late"
        }
        let model = ScriptedAgentModel { conversation, _ in
            guard let result = conversation.latestToolResults.first else {
                return ModelTurn(toolCalls: [ToolCall(id: "s", name: "slow", arguments: .object(["name": .string("x")]))])
            }
            return ModelTurn(text: result.content)
        }
        let agent = Agent(model: model, instructions: "", tools: [slow])
        let workflow = Workflow("slowAgent") { (task: String) async throws -> AgentResult in try await agent.run(task) }
        try await withAgentRuntime(try await backend.freshDatabaseURL("agents_timeout"), workflow) { dbos in
            let handle = try await dbos.start(workflow, "go")
            let result = try await handle.result()
            #expect(result.answer.hasPrefix("error: "))
            #expect(result.answer.contains("tool 'slow' timed out after 0.1 seconds"))
            #expect(tally.count("slow") == 2)
            let steps = try await handle.steps()
            #expect(steps[1].functionName == "tool:slow" && steps[1].error?.contains("timed out after 0.1 seconds") == true)
        }
    }

    @Test(arguments: Backend.available)
    func theStepBudgetEndsALoopingAgent(backend: Backend) async throws {
        let echo = AgentTool.function("echo", description: "Echoes.") { (item: Item) in item.name }
        let model = ScriptedAgentModel { _, _ in
            ModelTurn(toolCalls: [ToolCall(id: "e", name: "echo", arguments: .object(["name": .string("again")]))])
        }
        let agent = Agent(model: model, instructions: "", tools: [echo], maxTurns: 3)
        let workflow = Workflow("loopingAgent") { (task: String) async throws -> AgentResult in try await agent.run(task) }
        try await withAgentRuntime(try await backend.freshDatabaseURL("agents_budget"), workflow) { dbos in
            let handle = try await dbos.start(workflow, "go")
            await #expect(throws: (any Error).self) { _ = try await handle.result() }
            #expect(try await handle.status().state == .error)
            #expect(try await handle.status().error?.contains("used its 3 model turns without finishing") == true)
            #expect(try await handle.steps().filter { $0.functionName == "agent.model" }.count == 3)
        }
    }
}
