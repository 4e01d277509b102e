/// Anything that can be registered as a workflow: ``Workflow`` and macro-generated declarations.
public protocol WorkflowDefinition: Sendable {
    /// The type-erased form the runtime stores in its registry.
    var registration: WorkflowRegistration { get }
}

/// A workflow with its types erased: it runs from, and returns, portable JSON text.
public struct WorkflowRegistration: Sendable {
    /// The registered name.
    public let name: String
    /// Recovery attempts before the workflow is given up (nil: the runtime's default).
    public let maxRecoveryAttempts: Int?
    /// A fingerprint of the workflow's code (see ``Workflow/codeFingerprint``), part of the
    /// default application version.
    public let codeFingerprint: String?
    let invoke: @Sendable (_ inputs: String) async throws -> String

    /// Creates a registration from a body that decodes its inputs and encodes its output.
    public init(name: String, maxRecoveryAttempts: Int?, codeFingerprint: String? = nil,
                invoke: @escaping @Sendable (_ inputs: String) async throws -> String) {
        self.name = name
        self.maxRecoveryAttempts = maxRecoveryAttempts
        self.codeFingerprint = codeFingerprint
        self.invoke = invoke
    }
}
