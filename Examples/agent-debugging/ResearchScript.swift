import AgentSupport
import DBOS
import DBOSAgents
import Foundation

/// The offline model's script: first three search calls derived from the question, then a
/// summary of their results that follows the instructions literally (it adds "sources" only
/// when asked to).
enum ResearchScript {
    static let model = ScriptedAgentModel { conversation, _ in
        let question = conversation.lastUserMessage
        guard conversation.contains(where: { $0.role == "tool" }) else { return plan(question) }
        return summary(question, instructions: conversation.systemPrompt, results: conversation.latestToolResults)
    }

    private static func plan(_ question: String) -> ModelTurn {
        let topic = Text.words(question).filter { $0.count > 3 }.prefix(4).joined(separator: " ")
        let queries = [question, "\(topic) explained", "\(topic) pitfalls in production"]
        return ModelTurn(text: "Searching three times. ", toolCalls: queries.enumerated().map { index, query in
            ToolCall(id: "search-\(index + 1)", name: "search", arguments: .object(["query": .string(query)]))
        })
    }

    private static func summary(_ question: String, instructions: String, results: [AgentMessage]) -> ModelTurn {
        let hits = results.flatMap { (try? JSONDecoder().decode([SearchHit].self, from: Data($0.content.utf8))) ?? [] }
        var seen = Set<String>()
        let unique = hits.filter { seen.insert($0.url).inserted }.prefix(3)
        var object: [String: Any] = [
            "title": "Research notes: \(question)",
            "findings": unique.map { Text.sentences($0.snippet).first ?? $0.snippet },
        ]
        if instructions.contains("\"sources\"") { object["sources"] = unique.map(\.url) }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return ModelTurn(text: "```json\n" + String(decoding: data, as: UTF8.self) + "\n```")
    }
}

/// The search tool's "web": a few pages ranked by shared vocabulary with the query.
enum SearchIndex {
    static let pages: [SearchHit] = [
        SearchHit(title: "Durable execution in one page", url: "https://example.org/durable-execution",
                  snippet: "Durable execution checkpoints each step of a workflow in a database, so a crashed workflow resumes from its last completed step instead of starting over."),
        SearchHit(title: "Why agents fail in production", url: "https://example.org/agent-failures",
                  snippet: "Most agent failures in production come from malformed model output, tool timeouts and lost progress after a restart."),
        SearchHit(title: "Structured output validation", url: "https://example.org/structured-output",
                  snippet: "Validating the model's structured output against a schema catches missing fields before they corrupt downstream state."),
        SearchHit(title: "Replaying workflows after a fix", url: "https://example.org/fork-after-fix",
                  snippet: "Forking a failed workflow from the failing step reuses every earlier step's recorded output, so expensive tool calls are not repeated."),
        SearchHit(title: "Idempotent tool calls", url: "https://example.org/idempotent-tools",
                  snippet: "Tool calls with side effects should be idempotent because a step interrupted by a crash runs again."),
        SearchHit(title: "Human in the loop", url: "https://example.org/human-in-the-loop",
                  snippet: "Durable waits let an agent pause for a human approval for days without holding a process or losing its place."),
    ]

    /// The `limit` pages sharing the most words with `query` (ties keep the list order).
    static func search(_ query: String, limit: Int) -> [SearchHit] {
        let embedding = HashedEmbedding()
        let wanted = embedding.vector(query)
        let scored = pages.enumerated().map { (index: $0.offset, page: $0.element,
                                              score: cosineSimilarity(wanted, embedding.vector($0.element.title + " " + $0.element.snippet))) }
        return scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }.prefix(limit).map(\.page)
    }
}
