/// A durable workflow: a named async function whose steps are checkpointed.
///
/// ```swift
/// let greet = Workflow("greet") { (name: String) async throws -> String in
///     let greeting = try await DBOS.step("compose") { "Hello, \(name)" }
///     return greeting
/// }
/// ```
/// Inputs are the closure's parameters (any number, each `Codable`), stored as portable
/// JSON positional arguments; the output is the closure's result.
/// The body must be deterministic outside its steps: on recovery it runs again and
/// completed steps return their recorded results.
public struct Workflow<each Input: Codable & Sendable, Output: Codable & Sendable>: Sendable, WorkflowDefinition {
    /// The registered name, stored in `workflow_status.name`.
    public let name: String
    /// Recovery attempts before the workflow becomes MAX_RECOVERY_ATTEMPTS_EXCEEDED (nil: the runtime's default).
    public let maxRecoveryAttempts: Int?
    let body: @Sendable (repeat each Input) async throws -> Output

    /// A fingerprint of the body's code, which `@Workflow` fills in at compile time (nil for a
    /// closure workflow). The runtime's default application version includes it, so changing
    /// the code of an annotated workflow changes the version.
    public let codeFingerprint: String?

    /// Defines a workflow named `name` running `body`.
    public init(_ name: String, maxRecoveryAttempts: Int? = nil, codeFingerprint: String? = nil,
                _ body: @escaping @Sendable (repeat each Input) async throws -> Output) {
        self.name = name
        self.maxRecoveryAttempts = maxRecoveryAttempts
        self.codeFingerprint = codeFingerprint
        self.body = body
    }

    /// The type-erased form: decodes the inputs, runs the body, encodes the output.
    public var registration: WorkflowRegistration {
        let name = self.name
        let body = self.body
        return WorkflowRegistration(name: name, maxRecoveryAttempts: maxRecoveryAttempts, codeFingerprint: codeFingerprint) { inputs in
            let arguments = try PortableJSON.decodeArguments(repeat (each Input).self, from: inputs, workflowName: name)
            let output = try await body(repeat each arguments)
            return try PortableJSON.encode(output)
        }
    }
}
