// The research agent: plan -> one search tool call per planned query -> structured summary.
import AgentSupport
import DBOS
import Foundation

/// A search result returned by the search tool.
struct SearchHit: Codable, Sendable, Equatable {
    var title: String
    var url: String
    var snippet: String
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

/// The model's reply could not be used: the step fails with this error, which is recorded
/// and shown by `dbos-swift workflow steps`.
struct MalformedModelOutput: Error, Codable, CustomStringConvertible {
    var step: String
    var problem: String
    var reply: String

    var description: String { "\(step): the model's reply is malformed (\(problem)); reply was: \(reply)" }
}

/// Set from the command line before launch; read by the steps.
enum Agent {
    static let model = Setting<any LLMClient>(ScriptedModel(ResearchScript.reply))
    /// Whether the summarize step uses the fixed prompt (the bug fix of the walkthrough).
    static let fixedPrompt = Setting(false)
    /// A file that gets one line per search tool call actually executed (tests count it).
    static let toolLog = Setting<String?>(nil)
    /// How many tool calls this process executed.
    static let toolCallsHere = Setting(0)
}

@Step(name: "plan")
func planSearches(_ question: String) async throws -> [String] {
    struct Plan: Decodable { var queries: [String] }
    let reply = try await Agent.model.value.complete([.system(Prompts.planner), .user(question)])
    guard let plan = try? JSONDecoder().decode(Plan.self, from: Data(Prompts.jsonBody(reply).utf8)), !plan.queries.isEmpty else {
        throw MalformedModelOutput(step: "plan", problem: "expected {\"queries\": [...]}", reply: reply)
    }
    print("  plan: \(plan.queries.count) searches")
    return plan.queries
}

/// The search tool. Every execution is a real (here: local) tool call, logged to `--tool-log`.
@Step(name: "search")
func searchTool(_ query: String) async throws -> [SearchHit] {
    appendLine("search\t\(query)", to: Agent.toolLog.value)
    Agent.toolCallsHere.set(Agent.toolCallsHere.value + 1)
    let hits = SearchIndex.search(query, limit: 2)
    print("  🔧 tool call search(\"\(query)\") -> \(hits.count) hits")
    return hits
}

@Step(name: "summarize")
func summarize(_ question: String, _ hits: [SearchHit]) async throws -> ResearchSummary {
    let prompt = Agent.fixedPrompt.value ? Prompts.summarizerFixed : Prompts.summarizerOriginal
    let notes = hits.map { "- \($0.title) | \($0.url) | \($0.snippet)" }.joined(separator: "\n")
    let reply = try await Agent.model.value.complete([.system(prompt), .user("Question: \(question)\n\nSearch results:\n\(notes)")])
    let summary = try Prompts.validatedSummary(reply)
    print("  summarize: \(summary.findings.count) findings, \(summary.sources.count) sources")
    return summary
}

/// The agent. Steps are numbered in call order: 1 plan, 2... searches, then summarize.
@Workflow(name: "researchAgent")
func researchAgent(_ question: String) async throws -> ResearchReport {
    let queries = try await planSearches(question)
    var hits: [SearchHit] = []
    for query in queries {
        hits += try await searchTool(query)
    }
    let summary = try await summarize(question, hits)
    return ResearchReport(question: question, searches: queries.count, summary: summary)
}
