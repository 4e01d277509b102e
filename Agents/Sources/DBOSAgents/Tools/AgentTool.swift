public import DBOS
import Foundation

/// A tool the agent's model may call.
///
/// A *step tool* runs as one checkpointed step per call (its own retry policy and timeout);
/// a *workflow tool* runs in the workflow itself, between steps, for tools made of durable
/// operations such as ``DBOS/receive(_:topic:timeout:)`` (see ``AgentTool/approval(name:description:topic:timeout:)``).
public struct AgentTool: Sendable {
    /// How the model sees the tool.
    public var spec: ToolSpec
    /// Retries and timeout of each call (step tools only).
    public var policy: StepPolicy
    let kind: Kind

    enum Kind: Sendable {
        case step(@Sendable (JSONValue) async throws -> String)
        case workflow(@Sendable (ToolCall) async throws -> String)
    }

    /// A step tool whose body takes the raw JSON arguments and returns the result text.
    public init(spec: ToolSpec, policy: StepPolicy = .default, body: @escaping @Sendable (JSONValue) async throws -> String) {
        self.spec = spec
        self.policy = policy
        self.kind = .step(body)
    }

    /// A workflow tool: `body` runs in the workflow (it may use durable operations, not steps
    /// of its own making at random: it must be deterministic, like any workflow code).
    public init(workflowTool spec: ToolSpec, body: @escaping @Sendable (ToolCall) async throws -> String) {
        self.spec = spec
        self.policy = .default
        self.kind = .workflow(body)
    }

    /// A tool from a Swift function: its arguments are decoded from the model's JSON as `Arguments`,
    /// its result encoded as JSON (a `String` result is passed as is). The input schema is
    /// `schema` when given, else derived from `Arguments` (see ``JSONSchema/derive(from:)``).
    public static func function<Arguments: Decodable & Sendable, Result: Encodable & Sendable>(
        _ name: String, description: String, schema: JSONValue? = nil, policy: StepPolicy = .default,
        _ body: @escaping @Sendable (Arguments) async throws -> Result
    ) -> AgentTool {
        let inputSchema = schema ?? JSONSchema.derive(from: Arguments.self)
        return AgentTool(spec: ToolSpec(name: name, description: description, inputSchema: inputSchema), policy: policy) { arguments in
            let decoded: Arguments
            do {
                decoded = try arguments.decode(as: Arguments.self, what: "arguments of tool '\(name)'")
            } catch {
                throw AgentError.badArguments(tool: name, reason: WorkflowFailure(error).message)
            }
            let result = try await body(decoded)
            if let text = result as? String { return text }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(result), as: UTF8.self)
        }
    }
}
