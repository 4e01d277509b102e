// Answering a question from the index: retrieve the closest chunks, then let the model compose.
import AgentSupport
import DBOS
import DBOSAgents
import Foundation

/// A retrieved chunk and its cosine similarity to the question.
struct ScoredChunk: Codable, Sendable {
    var document: String
    var chunk: Int
    var text: String
    var score: Double
}

/// The answer and the chunks it came from.
struct Answer: Codable, Sendable {
    var text: String
    var sources: [ScoredChunk]
}

/// `query`'s input.
struct QuestionRequest: Codable, Sendable {
    var question: String
    var indexPath: String
    var top: Int
}

enum Answering {
    static let model = Setting<any AgentModel>(AnswerScript.model)
}

@Step(name: "retrieve")
func retrieve(_ request: QuestionRequest) async throws -> [ScoredChunk] {
    let chunks = try await VectorIndex(path: request.indexPath).allChunks()
    guard let modelName = chunks.first?.model, let choice = EmbeddingChoice(rawValue: modelName) else {
        throw CorpusError(message: "the index '\(request.indexPath)' is empty: run `document-ingestion index` first")
    }
    let question = try await choice.model().embed(request.question)
    return chunks.map { ScoredChunk(document: $0.document, chunk: $0.chunk, text: $0.text, score: cosineSimilarity(question, $0.embedding)) }
        .sorted { $0.score != $1.score ? $0.score > $1.score : ($0.document, $0.chunk) < ($1.document, $1.chunk) }
        .prefix(request.top).map { $0 }
}

@Step(name: "compose")
func compose(_ question: String, _ context: [ScoredChunk]) async throws -> String {
    let numbered = context.enumerated().map { "[\($0.offset + 1)] (\($0.element.document)) \($0.element.text)" }
    return try await Answering.model.value.complete([
        .system(AnswerScript.prompt),
        .user("Question: \(question)\n\nContext:\n\(numbered.joined(separator: "\n\n"))"),
    ])
}

@Workflow(name: "answerQuestion")
func answerQuestion(_ request: QuestionRequest) async throws -> Answer {
    let context = try await retrieve(request)
    return Answer(text: try await compose(request.question, context), sources: context)
}

/// The offline model's script: quotes the context sentences that share the most words with
/// the question, citing their passage numbers.
enum AnswerScript {
    static let prompt = "Answer the question using only the numbered context passages. Cite passages as [n]."

    static let model = ScriptedAgentModel { conversation, _ in ModelTurn(text: reply(conversation.lastUserMessage)) }

    private static func reply(_ user: String) -> String {
        let question = user.components(separatedBy: "\n").first?.replacingOccurrences(of: "Question: ", with: "") ?? ""
        guard let contextStart = user.range(of: "Context:\n") else { return "I found nothing to answer from." }
        var candidates: [(sentence: String, passage: String, score: Int, order: Int)] = []
        for passage in user[contextStart.upperBound...].components(separatedBy: "\n\n[") {
            let number = passage.drop { $0 == "[" }.prefix { $0.isNumber }
            let text = passage.split(separator: ")", maxSplits: 1).last.map(String.init) ?? passage
            let body = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")  // no Markdown headings
            for sentence in Text.sentences(body) {
                candidates.append((sentence, String(number), Text.overlap(sentence, with: question), candidates.count))
            }
        }
        let best = candidates.filter { $0.score > 0 }.sorted { $0.score != $1.score ? $0.score > $1.score : $0.order < $1.order }.prefix(2)
        guard !best.isEmpty else { return "The indexed documents do not answer that." }
        return best.sorted { $0.order < $1.order }.map { "\($0.sentence) [\($0.passage)]" }.joined(separator: " ")
    }
}
