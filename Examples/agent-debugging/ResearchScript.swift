import AgentSupport
import Foundation

/// The offline model's script: a planner that derives three queries from the question and a
/// summarizer that follows its prompt literally (it adds "sources" only when asked to).
enum ResearchScript {
    @Sendable static func reply(_ messages: [ChatMessage]) -> String {
        let system = messages.systemPrompt
        let user = messages.lastUserMessage
        if system.contains("research planner") { return plan(user) }
        if system.contains("summarize research notes") { return summary(system: system, user: user) }
        return "I can only plan and summarize research."
    }

    private static func plan(_ question: String) -> String {
        let topic = Text.words(question).filter { $0.count > 3 }.prefix(4).joined(separator: " ")
        return json(["queries": [question, "\(topic) explained", "\(topic) pitfalls in production"]])
    }

    private static func summary(system: String, user: String) -> String {
        let question = user.split(separator: "\n").first.map { $0.replacingOccurrences(of: "Question: ", with: "") } ?? ""
        let results = user.split(separator: "\n").filter { $0.hasPrefix("- ") }.map { $0.dropFirst(2).components(separatedBy: " | ") }
        var seen = Set<String>()
        let unique = results.filter { $0.count == 3 && seen.insert($0[1]).inserted }
        var object: [String: Any] = [
            "title": "Research notes: \(question)",
            "findings": unique.prefix(3).map { Text.sentences($0[2]).first ?? $0[2] },
        ]
        if system.contains("\"sources\"") { object["sources"] = unique.prefix(3).map { $0[1] } }
        return "```json\n" + json(object) + "\n```"
    }

    private static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
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
