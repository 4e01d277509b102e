import Foundation

/// A deterministic local embedding: a hashed bag of words (FNV-1a of each lower-cased word,
/// stop words dropped, signed into `dimensions` buckets), L2-normalized. No model, no network,
/// the same vector in every process, good enough to rank passages by shared vocabulary.
public struct HashedEmbedding: EmbeddingModel {
    public let dimensions: Int

    public init(dimensions: Int = 256) {
        precondition(dimensions > 0, "an embedding needs at least one dimension")
        self.dimensions = dimensions
    }

    public func embed(_ text: String) async throws -> [Double] {
        vector(text)
    }

    /// The embedding, synchronously.
    public func vector(_ text: String) -> [Double] {
        var vector = [Double](repeating: 0, count: dimensions)
        for word in Text.words(text) where !Text.stopWords.contains(word) {
            let hash = Text.fnv1a(word)
            let sign: Double = (hash >> 63) == 0 ? 1 : -1
            vector[Int(hash % UInt64(dimensions))] += sign
        }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm == 0 ? vector : vector.map { $0 / norm }
    }
}

/// Cosine similarity of two vectors of the same length (0 when either is all zeros).
public func cosineSimilarity(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "vectors of different lengths (\(a.count) and \(b.count))")
    var dot = 0.0, normA = 0.0, normB = 0.0
    for index in a.indices {
        dot += a[index] * b[index]
        normA += a[index] * a[index]
        normB += b[index] * b[index]
    }
    return normA == 0 || normB == 0 ? 0 : dot / (normA.squareRoot() * normB.squareRoot())
}

/// Small text helpers shared by the scripted models and the embedding.
public enum Text {
    /// Lower-cased words of letters and digits.
    public static func words(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
    }

    /// Sentences, split after `.`, `!` or `?` (trimmed, empty ones dropped).
    public static func sentences(_ text: String) -> [String] {
        var sentences: [String] = []
        var current = ""
        for character in text.replacingOccurrences(of: "\n", with: " ") {
            current.append(character)
            if ".!?".contains(character) {
                let trimmed = current.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty { sentences.append(trimmed) }
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespaces)
        if !rest.isEmpty { sentences.append(rest) }
        return sentences
    }

    /// How many distinct non-stop words `text` shares with `query`.
    public static func overlap(_ text: String, with query: String) -> Int {
        let wanted = Set(words(query)).subtracting(stopWords)
        return Set(words(text)).intersection(wanted).count
    }

    static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "by", "do", "does", "for", "from", "how", "i", "in", "is", "it",
        "its", "of", "on", "or", "that", "the", "this", "to", "what", "when", "which", "who", "why", "with", "you",
    ]

    /// 64-bit FNV-1a: stable across processes and platforms (unlike `Hasher`).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return hash
    }
}
