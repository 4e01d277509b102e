import DBOS
import DBOSAgents
import DBOSTestSupport
import Foundation
import Synchronization
import Testing

/// Acceptance 2: after a tool failure, a fork from the model turn that saw it runs only that
/// turn and the ones after it; the failed tool is not called again.
@Suite(.timeLimit(.minutes(5)))
struct ForkTests {
    struct InventoryDown: Error, CustomStringConvertible { var description: String { "inventory service is down" } }

    @Test(arguments: Backend.available)
    func forkFromTheModelTurnAfterAToolFailure(backend: Backend) async throws {
        let tally = Tally()
        let fixed = Mutex(false)
        let inventory = AgentTool.function("inventory", description: "Stock of an item.",
                                           policy: StepPolicy(retries: quickRetries(2))) { (_: [String: String]) async throws -> String in
            tally.hit("inventory")
            throw InventoryDown()
        }
        let backup = AgentTool.function("backup_inventory", description: "Stock from the backup.") { (_: [String: String]) in
            tally.hit("backup")
            return "12 in stock"
        }
        let model = ScriptedAgentModel { conversation, _ in
            tally.hit("model")
            guard let last = conversation.last(where: { $0.role == "tool" })?.content else {
                return ModelTurn(toolCalls: [ToolCall(id: "c1", name: "inventory")])
            }
            if last.hasPrefix("error:") {
                return fixed.withLock { $0 }
                    ? ModelTurn(toolCalls: [ToolCall(id: "c2", name: "backup_inventory")])
                    : ModelTurn(text: "I could not check the stock.")
            }
            return ModelTurn(text: "Stock: \(last)")
        }
        let agent = Agent(model: model, instructions: "Check the stock.", tools: [inventory, backup])
        let workflow = Workflow("stockAgent") { (task: String) async throws -> AgentResult in try await agent.run(task) }

        try await withAgentRuntime(try await backend.freshDatabaseURL("agents_fork"), workflow) { dbos in
            let original = try await dbos.start(workflow, "widgets")
            let first = try await original.result()
            #expect(first.answer == "I could not check the stock.")
            let steps = try await original.steps()
            #expect(steps.prefix(3).map(\.functionName) == ["agent.model", "tool:inventory", "agent.model"])
            #expect(steps[1].error?.contains("inventory service is down") == true)
            #expect(tally.count("inventory") == 2 && tally.count("model") == 2)

            fixed.withLock { $0 = true }   // the "prompt fix"
            let fork = try await original.fork(fromStep: 3)
            let second = try await fork.result()
            #expect(second.answer == "Stock: 12 in stock")
            // Only turn 2 and later ran again: the model twice, the backup once, the failed tool never.
            #expect(tally.count("model") == 4)
            #expect(tally.count("inventory") == 2)
            #expect(tally.count("backup") == 1)
            let forked = try await fork.steps()
            #expect(forked.prefix(2).map(\.output) == steps.prefix(2).map(\.output))
            #expect(forked.prefix(2).map(\.error) == steps.prefix(2).map(\.error))
            #expect(forked.map(\.functionName).prefix(5) == ["agent.model", "tool:inventory", "agent.model", "tool:backup_inventory", "agent.model"])
            // The replayed failure reads the same to the model as the original one.
            #expect(second.conversation[3] == first.conversation[3])
        }
    }

    struct NotJSON: Error, CustomStringConvertible {
        var answer: String
        var description: String { "the answer is not a JSON object: \(answer)" }
    }

    /// A final answer `checkAnswer` rejects fails its model step after the policy's retries, with
    /// the check's error recorded there; the tool call before it is not made again by a fork from
    /// that step, whose model (here: corrected instructions) answers in the shape asked for.
    @Test(arguments: Backend.available)
    func aRejectedAnswerFailsItsModelStepAndAForkAsksAgain(backend: Backend) async throws {
        let tally = Tally()
        let instructions = Mutex("Report the stock.")
        let stock = AgentTool.function("stock", description: "Stock of an item.") { (_: [String: String]) in
            tally.hit("stock")
            return "12"
        }
        let model = ScriptedAgentModel { conversation, _ in
            tally.hit("model")
            guard let result = conversation.latestToolResults.first?.content else {
                return ModelTurn(toolCalls: [ToolCall(id: "s1", name: "stock")])
            }
            return conversation.systemPrompt.contains("JSON") ? ModelTurn(text: #"{"stock": \#(result)}"#) : ModelTurn(text: "Stock: \(result)")
        }
        let workflow = Workflow("checkedAgent") { (task: String) async throws -> AgentResult in
            let agent = Agent(model: model, instructions: instructions.withLock { $0 }, tools: [stock],
                              modelPolicy: StepPolicy(retries: quickRetries(2)), streamKey: nil,
                              checkAnswer: { answer in if !answer.hasPrefix("{") { throw NotJSON(answer: answer) } })
            return try await agent.run(task)
        }
        try await withAgentRuntime(try await backend.freshDatabaseURL("agents_check"), workflow) { dbos in
            let original = try await dbos.start(workflow, "widgets")
            await #expect(throws: (any Error).self) { try await original.result() }
            let steps = try await original.steps()
            #expect(steps.map(\.functionName) == ["agent.model", "tool:stock", "agent.model"])
            #expect(steps[2].error?.contains("the answer is not a JSON object: Stock: 12") == true, "\(steps[2].error ?? "no error")")
            #expect(tally.count("model") == 3, "the first turn, then the rejected answer twice (two attempts)")
            #expect(try await original.status().state == .error)

            instructions.withLock { $0 = "Report the stock as a JSON object." }   // the prompt fix
            let fork = try await original.fork(fromStep: 3)
            #expect(try await fork.result().answer == #"{"stock": 12}"#)
            #expect(tally.count("stock") == 1, "the tool call before the fork point is not made again")
            #expect(tally.count("model") == 4)
        }
    }

}
