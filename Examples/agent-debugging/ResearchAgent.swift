// The research agent, on DBOSAgents: the model plans searches as tool calls (one checkpointed
// step each), then writes a structured summary, checked inside its model step.
import AgentSupport
import DBOS
import DBOSAgents
import Foundation

/// A search result returned by the search tool.
struct SearchHit: Codable, Sendable, Equatable {
    var title: String
    var url: String
    var snippet: String
}

/// The search tool's arguments (its JSON schema is derived from them).
struct SearchArguments: Codable, Sendable {
    var query: String
}

/// The structured summary the model must produce; every field is required.
struct ResearchSummary: Codable, Sendable, Equatable {
    var title: String
    var findings: [String]
    var sources: [String]
}

/// What a successful run returns.
struct ResearchReport: Codable, Sendable, Equatable {
    var question: String
    var searches: Int
    var summary: ResearchSummary
}

/// The model's final answer could not be used: its model step fails with this error, which is
/// recorded and shown by `dbos-swift workflow steps`.
struct MalformedModelOutput: Error, Codable, CustomStringConvertible {
    var problem: String
    var reply: String

    var description: String { "summary: the model's answer is malformed (\(problem)); answer was: \(reply)" }
}

/// Set from the command line before launch; read by the workflow and the tool.
enum Research {
    static let model = Setting<any AgentModel>(ResearchScript.model)
    /// Whether the agent uses the fixed instructions (the bug fix of the walkthrough).
    static let fixedPrompt = Setting(false)
    /// A file that gets one line per search tool call actually executed (tests count it).
    static let toolLog = Setting<String?>(nil)
    /// How many tool calls this process executed.
    static let toolCallsHere = Setting(0)

    /// The search tool. Every execution is a real (here: local) tool call, logged to `--tool-log`.
    static let search = AgentTool.function("search", description: "Search the web; returns the two best pages.") {
        (arguments: SearchArguments) async throws -> [SearchHit] in
        appendLine("search\t\(arguments.query)", to: toolLog.value)
        toolCallsHere.set(toolCallsHere.value + 1)
        let hits = SearchIndex.search(arguments.query, limit: 2)
        printNow("  🔧 tool call search(\"\(arguments.query)\") -> \(hits.count) hits")
        return hits
    }

    /// The agent as this process's code builds it: a fork runs with the fork's instructions.
    static func agent() -> Agent {
        Agent(model: model.value, instructions: fixedPrompt.value ? Prompts.fixed : Prompts.original, tools: [search],
              maxTurns: 4, streamKey: nil, checkAnswer: { answer in _ = try Prompts.validatedSummary(answer) })
    }
}

/// The agent. Its steps: 1 the model's plan (three search calls), 2-4 the searches (run in
/// parallel), 5 the model's summary.
@Workflow(name: "researchAgent")
func researchAgent(_ question: String) async throws -> ResearchReport {
    let result = try await Research.agent().run(question)
    let summary = try Prompts.validatedSummary(result.answer)   // checked in its step already: this decodes it
    return ResearchReport(question: question, searches: result.toolCalls, summary: summary)
}
