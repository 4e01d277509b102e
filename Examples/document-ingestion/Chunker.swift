import AgentSupport
import Foundation

/// Splits documents into passages of about `maxCharacters`, on paragraph and then sentence
/// boundaries. Pure and deterministic, so it runs in the workflow body without a step.
enum Chunker {
    static let maxCharacters = 600

    static func chunks(of text: String) -> [String] {
        let paragraphs = text.components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
        var chunks: [String] = []
        var current = ""
        for piece in paragraphs.flatMap(split) {
            if !current.isEmpty, current.count + piece.count + 2 > maxCharacters {
                chunks.append(current)
                current = ""
            }
            current += current.isEmpty ? piece : "\n\n" + piece
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    /// A paragraph, or its sentences grouped when it is too long.
    private static func split(_ paragraph: String) -> [String] {
        guard paragraph.count > maxCharacters else { return [paragraph] }
        var pieces: [String] = []
        var current = ""
        for sentence in Text.sentences(paragraph) {
            if !current.isEmpty, current.count + sentence.count + 1 > maxCharacters {
                pieces.append(current)
                current = ""
            }
            current += current.isEmpty ? sentence : " " + sentence
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    /// A stable fingerprint of a document's text (FNV-1a, hex).
    static func contentHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return String(hash, radix: 16)
    }
}

/// The documents of a corpus folder.
enum Corpus {
    static let extensions: Set<String> = ["md", "txt"]

    /// Absolute paths of the `.md` and `.txt` files under `folder`, sorted.
    static func documents(in folder: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CorpusError(message: "corpus folder '\(folder)' does not exist")
        }
        let root = URL(fileURLWithPath: folder).standardizedFileURL
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw CorpusError(message: "cannot read corpus folder '\(folder)'")
        }
        let paths = enumerator.compactMap { $0 as? URL }
            .filter { extensions.contains($0.pathExtension.lowercased()) }
            .map(\.standardizedFileURL.path)
        guard !paths.isEmpty else { throw CorpusError(message: "corpus folder '\(folder)' has no .md or .txt files") }
        return paths.sorted()
    }

    /// `path` relative to `folder`.
    static func name(of path: String, in folder: String) -> String {
        let root = URL(fileURLWithPath: folder).standardizedFileURL.path
        return path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }
}

/// A corpus folder that cannot be indexed.
struct CorpusError: Error, CustomStringConvertible, Codable {
    var message: String
    var description: String { message }
}
