import Logging
public import ArgumentParser
public import DBOS
public import DBOSAgents
import Foundation
import Synchronization

/// Which language model an example uses.
public enum ModelChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// The deterministic offline script (default).
    case scripted
    /// An OpenAI-compatible server configured by `OPENAI_BASE_URL`, `OPENAI_API_KEY`, `OPENAI_MODEL`.
    case openai
}

/// The options every example shares: `--database-url` and `--model`.
public struct ExampleOptions: ParsableArguments {
    @Option(help: "System database URL (postgresql://..., sqlite:///path or a file path). Default: $DBOS_SYSTEM_DATABASE_URL, else ./<example>.sqlite.")
    public var databaseURL: String?

    @Option(help: "The language model: scripted (offline, deterministic) or openai (OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL).")
    public var model: ModelChoice = .scripted

    public init() {}

    /// The model to use: `script` for `.scripted`, else the OpenAI-compatible server the
    /// environment names.
    public func languageModel(script: ScriptedAgentModel) throws -> any AgentModel {
        switch model {
        case .scripted: script
        case .openai: try OpenAICompatibleModel.fromEnvironment()
        }
    }

    /// A DBOS configuration named `name` (so `./<name>.sqlite` by default) with quiet logging.
    public func config(name: String) -> DBOSConfig {
        var config = DBOSConfig(name: name, systemDatabaseURL: databaseURL)
        config.logger.logLevel = .warning
        return config
    }

    /// The database URL as a user would pass it to `dbos-swift --database-url`.
    public func displayedDatabaseURL(name: String) -> String {
        databaseURL ?? ProcessInfo.processInfo.environment["DBOS_SYSTEM_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "\(name).sqlite"
    }
}

/// A value set once at start-up (from command-line options) and read by workflow and step
/// code, which are free functions without other access to it.
public final class Setting<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    public init(_ initial: Value) { storage = Mutex(initial) }

    /// The current value.
    public var value: Value { storage.withLock { $0 } }

    /// Replaces the value.
    public func set(_ value: Value) { storage.withLock { $0 = value } }
}

/// Appends one line to a file (created if missing) with a single `O_APPEND` write, so
/// concurrent writers never interleave; for logs that tests count.
public func appendLine(_ line: String, to path: String?) {
    guard let path, !path.isEmpty else { return }
    let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
}

/// Which embedding model turns text into vectors.
public enum EmbeddingChoice: String, ExpressibleByArgument, CaseIterable, Codable, Sendable {
    /// ``HashedEmbedding``: local, deterministic, offline (default).
    case hashed
    /// The OpenAI-compatible `/embeddings` endpoint (`OPENAI_EMBEDDING_MODEL`).
    case openai

    public func model() throws -> any EmbeddingModel {
        switch self {
        case .hashed: HashedEmbedding()
        case .openai: try OpenAICompatibleEmbedding.fromEnvironment()
        }
    }
}

/// Prints a line and flushes at once (stdout to a file or pipe is block-buffered; a process
/// that is SIGKILLed or watched by another program must not hold its lines back).
public func printNow(_ line: String) {
    print(line)
    fflush(nil)
}
