import Foundation

/// The agent's prompts and the validation of the model's structured output.
enum Prompts {
    static let planner = """
        You are a research planner. Reply with a JSON object {"queries": [...]} holding exactly three \
        short web search queries for the user's question, and nothing else.
        """

    /// The prompt as first shipped: it never asks for sources, so the model leaves them out
    /// and the summary fails validation.
    static let summarizerOriginal = """
        You summarize research notes. Reply with a JSON object with a "title" and a list of \
        "findings" (one short sentence each).
        """

    /// The fix (`--fixed-prompt`): name every required field.
    static let summarizerFixed = """
        You summarize research notes. Reply with only a JSON object with exactly these keys: \
        "title" (a string), "findings" (a list of short sentences) and "sources" (the list of \
        result URLs the findings come from).
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
            throw MalformedModelOutput(step: "summarize", problem: "missing field \"\(key.stringValue)\"", reply: reply)
        } catch DecodingError.typeMismatch(_, let context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw MalformedModelOutput(step: "summarize", problem: "field \"\(field)\" has the wrong type", reply: reply)
        } catch {
            throw MalformedModelOutput(step: "summarize", problem: "not a JSON object", reply: reply)
        }
        guard !summary.findings.isEmpty else {
            throw MalformedModelOutput(step: "summarize", problem: "no findings", reply: reply)
        }
        guard !summary.sources.isEmpty else {
            throw MalformedModelOutput(step: "summarize", problem: "no sources", reply: reply)
        }
        return summary
    }
}
