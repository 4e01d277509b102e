/// Makes an `async throws` function a checkpointed step.
///
/// ```swift
/// @Step func fetchPage(_ url: String) async throws -> String { ... }
/// @Step(retries: .exponential(maxAttempts: 5)) func embed(_ text: String) async throws -> Int { ... }
/// ```
/// The body runs inside ``DBOS/step(_:retries:timeout:_:)`` under the function's name: inside a workflow
/// its result (or error) is recorded, and when the workflow is recovered the recorded outcome is
/// returned without running the body again. Outside a workflow, or inside another step, the body
/// simply runs. Works on free functions, static and instance methods; the result must be
/// `Codable & Sendable` (a function returning nothing records ``NoOutput``).
///
/// A step must not start workflows, be `mutating`, or take `inout` parameters: when it is
/// replayed only its recorded result comes back.
@attached(body)
public macro Step(retries: RetryPolicy = .none, timeout: Duration? = nil) = #externalMacro(module: "DBOSMacros", type: "StepMacro")

/// Makes an `async throws` function a checkpointed step recorded as `name`.
///
/// See ``Step(retries:timeout:)``. The name is what `listSteps` shows and what replay matches, so keep
/// it stable across versions of the code.
@attached(body)
public macro Step(name: String, retries: RetryPolicy = .none, timeout: Duration? = nil) = #externalMacro(module: "DBOSMacros", type: "StepMacro")

/// Makes an `async throws` free function or static method a durable workflow.
///
/// ```swift
/// @Workflow func indexDocument(_ url: String) async throws -> Int {
///     let text = try await fetchPage(url)
///     return try await embed(text)
/// }
/// try dbos.register($indexDocument)
/// let pages = try await indexDocument("https://example.com")   // or dbos.run($indexDocument, url)
/// ```
/// The macro declares a peer `$indexDocument`, a ``Workflow`` holding the function's body
/// (`static let` for a static method), and makes the function itself run that workflow through
/// ``DBOS/runWorkflow(_:_:)``: inside a workflow as a child workflow, outside any workflow on the
/// single runtime launched in this process. Register `$indexDocument` before launching.
///
/// Parameters and the result must be `Codable & Sendable` (a function returning nothing has
/// output ``NoOutput``). The compiler warns about non-deterministic calls in the body outside
/// steps (`Date()`, `UUID()`, `Task.sleep`, `.random`, ...) and offers the recorded `DBOS`
/// equivalents.
@attached(peer, names: prefixed(`$`))
@attached(body)
public macro Workflow(maxRecoveryAttempts: Int? = nil) = #externalMacro(module: "DBOSMacros", type: "WorkflowMacro")

/// Makes an `async throws` free function or static method a durable workflow registered as `name`.
///
/// See ``Workflow(maxRecoveryAttempts:)``. The name is stored in `workflow_status.name` and is how
/// recovery finds the code, so keep it stable across versions.
@attached(peer, names: prefixed(`$`))
@attached(body)
public macro Workflow(name: String, maxRecoveryAttempts: Int? = nil) = #externalMacro(module: "DBOSMacros", type: "WorkflowMacro")

/// Adds `static var workflows: [any WorkflowDefinition]` to a type, listing the workflows of its
/// static `@Workflow` methods.
///
/// ```swift
/// @Workflows enum Ingest {
///     @Workflow static func indexDocument(_ url: String) async throws -> Int { ... }
///     @Workflow static func indexDocuments(_ urls: [String]) async throws -> [Int] { ... }
/// }
/// try dbos.register(Ingest.workflows)
/// ```
@attached(member, names: named(workflows))
public macro Workflows() = #externalMacro(module: "DBOSMacros", type: "WorkflowsMacro")
