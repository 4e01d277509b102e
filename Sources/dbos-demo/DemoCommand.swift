import Synchronization
import Logging
import ArgumentParser
import DBOS
import Foundation

/// The recovery demo: a four-step research agent (see ResearchAgent.swift) whose progress survives `kill -9`.
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
        let dbos = try DBOS(config: config)
        try dbos.register($researchAgent)
        let crashAfter = crashAfterStep
        DemoProbe.afterStep.withLock { $0 = { step in
            if step == crashAfter {
                print("💥 step \(step) is checkpointed; --crash-after-step \(step) kills this process with SIGKILL now.")
                print("   Run `swift run dbos-demo` again to resume.")
                fflush(nil)
                kill(getpid(), SIGKILL)
            }
        } }

        let recovery = try await dbos.launch()   // recovers unfinished workflows of this executor
        print("dbos-demo on \(dbos.backendName) (executor \(dbos.executorID), version \(dbos.applicationVersion))")
        if let resumed = recovery.recovered.first {
            print("Found unfinished workflow \(resumed) from an earlier run: launching recovered it.")
        }

        let workflowID: String
        if let resumed = recovery.recovered.first {
            workflowID = resumed
        } else {
            workflowID = "research-\(UUID().uuidString.prefix(8).lowercased())"
            print("Starting workflow \(workflowID): research '\(topic)' in 4 steps.")
            _ = try await dbos.start($researchAgent, topic, options: WorkflowOptions(workflowID: workflowID))
        }
        let report = try await dbos.retrieve(workflowID, as: String.self).result()
        print("\nWorkflow \(workflowID) finished:\n  \(report)\n")
        try await printTimeline(dbos, workflowID)
        await dbos.shutdown()
    }

    private func printTimeline(_ dbos: DBOS, _ workflowID: String) async throws {
        let ranHere = DemoProbe.executedHere.withLock { $0 }
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
