import ArgumentParser
import DBOS
import Foundation
import Synchronization

/// The recovery demo: a four-step research agent whose progress survives `kill -9`.
@main
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbos-demo",
        abstract: "Run a durable four-step workflow; crash it on purpose and watch it resume.",
        discussion: """
            swift run dbos-demo --crash-after-step 2   # SIGKILLs itself right after step 2 is checkpointed
            swift run dbos-demo                        # resumes: steps 1-2 replay, steps 3-4 run
            """)

    @Option(help: "SIGKILL this process right after step N is checkpointed.")
    var crashAfterStep: Int?

    @Option(help: "System database URL (default: ./dbos-demo.sqlite, or DBOS_SYSTEM_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "The topic the agent researches.")
    var topic = "durable workflows"

    func run() async throws {
        var config = DBOSConfig(name: "dbos-demo", systemDatabaseURL: databaseURL)
        config.logger.logLevel = .warning
        let dbos = try await DBOS(config: config)
        try dbos.register(ResearchAgent.workflow)
        let crashAfter = crashAfterStep
        ResearchAgent.afterStep.withLock { $0 = { step in
            if step == crashAfter {
                print("💥 step \(step) is checkpointed; --crash-after-step \(step) kills this process with SIGKILL now.")
                print("   Run `swift run dbos-demo` again to resume.")
                fflush(nil)
                kill(getpid(), SIGKILL)
            }
        } }

        _ = try await dbos.migrate()
        let unfinished = try await dbos.listWorkflows(ListWorkflowsFilter(name: ResearchAgent.workflow.name, status: [.pending]))
        print("dbos-demo on \(dbos.backendName) (executor \(dbos.executorID), version \(dbos.applicationVersion))")
        try await dbos.launch()   // recovers unfinished workflows of this executor

        let workflowID: String
        if let resumed = unfinished.first {
            workflowID = resumed.workflowID
            print("Found unfinished workflow \(workflowID) from an earlier run: recovery resumed it.")
        } else {
            workflowID = "research-\(UUID().uuidString.prefix(8).lowercased())"
            print("Starting workflow \(workflowID): research '\(topic)' in \(ResearchAgent.stepNames.count) steps.")
            _ = try await dbos.start(ResearchAgent.workflow, topic, options: WorkflowOptions(workflowID: workflowID))
        }
        let report = try await dbos.retrieve(workflowID, as: String.self).result()
        print("\nWorkflow \(workflowID) finished:\n  \(report)\n")
        try await printTimeline(dbos, workflowID)
        await dbos.shutdown()
    }

    private func printTimeline(_ dbos: DBOS, _ workflowID: String) async throws {
        let ranHere = ResearchAgent.executedHere.withLock { $0 }
        let steps = try await dbos.listSteps(workflowID)
        print("Steps:")
        for step in steps {
            let how = ranHere.contains(step.functionName) ? "executed in this process" : "replayed from its checkpoint (not re-run)"
            let time = step.completedAt.map { " at \($0.formatted(date: .omitted, time: .standard))" } ?? ""
            print("  \(step.functionID). \(step.functionName.padding(toLength: 10, withPad: " ", startingAt: 0)) \(how)\(time)")
        }
        let replayed = steps.filter { !ranHere.contains($0.functionName) }.map { String($0.functionID) }
        if !replayed.isEmpty {
            print("\nRecovered: step(s) \(replayed.joined(separator: ", ")) came from the database; only the rest ran again.")
        }
    }
}

/// The demo workflow: plan -> search -> summarize -> publish, each step checkpointed.
enum ResearchAgent {
    static let stepNames = ["plan", "search", "summarize", "publish"]
    static let executedHere = Mutex<Set<String>>([])
    static let afterStep = Mutex<@Sendable (Int) -> Void>({ _ in })

    static func step(_ index: Int, _ body: @escaping @Sendable () async throws -> String) async throws -> String {
        let name = stepNames[index - 1]
        let output = try await DBOS.step(name) {
            print("  step \(index) \(name): running...")
            try await Task.sleep(for: .milliseconds(300))   // stands in for an LLM or tool call
            executedHere.withLock { _ = $0.insert(name) }
            return try await body()
        }
        afterStep.withLock { $0 }(index)
        return output
    }

    static let workflow = Workflow("researchAgent") { (topic: String) async throws -> String in
        let plan = try await step(1) { "3 questions about \(topic)" }
        let sources = try await step(2) { "5 sources for \(plan)" }
        let summary = try await step(3) { "summary of \(sources)" }
        return try await step(4) { "published: \(summary)" }
    }
}
