import Foundation

/// The agent's instructions and the check of the model's structured answer.
enum Prompts {
    /// The instructions as first shipped: they never ask for sources, so the model leaves them
    /// out and the summary fails its check.
    static let original = """
        You are a research assistant. Call the search tool with exactly three short web search \
        queries for the user's question, then summarize the results as a JSON object with a \
        "title" and a list of "findings" (one short sentence each).
        """

    /// The fix (`--fixed-prompt`): name every required field.
    static let fixed = """
        You are a research assistant. Call the search tool with exactly three short web search \
        queries for the user's question, then reply with only a JSON object with exactly these \
        keys: "title" (a string), "findings" (a list of short sentences) and "sources" (the list \
        of result URLs the findings come from).
        """

    /// The JSON object inside a reply (models like to wrap it in a Markdown code fence).
    static func jsonBody(_ reply: String) -> String {
        guard let start = reply.firstIndex(of: "{"), let end = reply.lastIndex(of: "}"), start < end else { return reply }
        return String(reply[start...end])
    }

    /// Decodes and checks a summary, naming the first problem found.
    static func validatedSummary(_ reply: String) throws -> ResearchSummary {
        let summary: ResearchSummary
        do {
            summary = try JSONDecoder().decode(ResearchSummary.self, from: Data(jsonBody(reply).utf8))
        } catch DecodingError.keyNotFound(let key, _) {
            throw MalformedModelOutput(problem: "missing field \"\(key.stringValue)\"", reply: reply)
        } catch DecodingError.typeMismatch(_, let context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw MalformedModelOutput(problem: "field \"\(field)\" has the wrong type", reply: reply)
        } catch {
            throw MalformedModelOutput(problem: "not a JSON object", reply: reply)
        }
        guard !summary.findings.isEmpty else { throw MalformedModelOutput(problem: "no findings", reply: reply) }
        guard !summary.sources.isEmpty else { throw MalformedModelOutput(problem: "no sources", reply: reply) }
        return summary
    }
}
