// The demo workflow, written with @Workflow and @Step: plan -> search -> summarize -> publish.
import DBOS
import Foundation
import Synchronization

/// What this process did, for the report printed at the end, and the `--crash-after-step` hook.
enum DemoProbe {
    /// Names of the step bodies that ran in this process (replayed steps are not here).
    static let executedHere = Mutex<Set<String>>([])
    /// Called after each step is checkpointed, with the step's number.
    static let afterStep = Mutex<@Sendable (Int) -> Void>({ _ in })

    static func ran(_ name: String) { executedHere.withLock { _ = $0.insert(name) } }
    static func checkpointed(_ step: Int) { afterStep.withLock { $0 }(step) }
}

/// Stands in for an LLM or tool call.
private func think(_ step: Int, _ name: String) async throws {
    print("  step \(step) \(name): running...")
    try await Task.sleep(for: .milliseconds(300))
    DemoProbe.ran(name)
}

@Step func plan(_ topic: String) async throws -> String {
    try await think(1, "plan")
    return "3 questions about \(topic)"
}

@Step func search(_ plan: String) async throws -> String {
    try await think(2, "search")
    return "5 sources for \(plan)"
}

@Step func summarize(_ sources: String) async throws -> String {
    try await think(3, "summarize")
    return "summary of \(sources)"
}

@Step func publish(_ summary: String) async throws -> String {
    try await think(4, "publish")
    return "published: \(summary)"
}

/// The research agent: four checkpointed steps. Each `@Step` call records its output, so after
/// a crash the completed steps are replayed from the database and only the rest run.
@Workflow func researchAgent(_ topic: String) async throws -> String {
    let questions = try await plan(topic)
    DemoProbe.checkpointed(1)
    let sources = try await search(questions)
    DemoProbe.checkpointed(2)
    let summary = try await summarize(sources)
    DemoProbe.checkpointed(3)
    let report = try await publish(summary)
    DemoProbe.checkpointed(4)
    return report
}
