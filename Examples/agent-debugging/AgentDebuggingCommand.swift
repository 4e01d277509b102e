import AgentSupport
import ArgumentParser
import DBOS
import DBOSAgents
import Foundation

/// `agent-debugging`: run the research agent, watch its summary (a model step) fail on malformed
/// model output, then fork it from the failed step with the fixed prompt.
@main
struct AgentDebuggingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-debugging",
        abstract: "A research agent whose failed run is debugged and forked from the failing step.",
        discussion: """
            swift run agent-debugging                                # fails at the summary (step 5)
            swift run dbos-swift workflow steps ID --database-url agent-debugging.sqlite
            swift run agent-debugging fork ID --fixed-prompt         # reuses plan + searches, asks for the summary again
            """,
        subcommands: [Run.self, Fork.self],
        defaultSubcommand: Run.self)
}

/// Options shared by `run` and `fork`: they configure the code that runs the steps.
struct AgentOptions: ParsableArguments {
    @OptionGroup var example: ExampleOptions

    @Flag(help: "Use the fixed instructions (the bug fix).")
    var fixedPrompt = false

    @Option(help: "Append one line per executed search tool call to this file.")
    var toolLog: String?

    /// Applies the options to the agent and launches a runtime with it registered.
    func launch() async throws -> DBOS {
        Research.model.set(try example.languageModel(script: ResearchScript.model))
        Research.fixedPrompt.set(fixedPrompt)
        Research.toolLog.set(toolLog)
        let dbos = try DBOS(config: example.config(name: "agent-debugging"))
        try dbos.register($researchAgent)
        dbos.registerError(MalformedModelOutput.self)
        try await dbos.launch()
        return dbos
    }

    var databaseForCLI: String { example.displayedDatabaseURL(name: "agent-debugging") }
}

extension AgentDebuggingCommand {
    /// `agent-debugging run`: one research run.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the research agent on a question.")

        @OptionGroup var options: AgentOptions

        @Option(help: "The research question.")
        var question = "How do durable workflows keep AI agents reliable?"

        @Option(help: "The workflow ID (default: research-<random>).")
        var workflowID: String?

        func run() async throws {
            let dbos = try await options.launch()
            let id = workflowID ?? "research-\(UUID().uuidString.prefix(8).lowercased())"
            print("Workflow \(id): researching \"\(question)\" (\(options.fixedPrompt ? "fixed" : "original") prompt, model \(Research.model.value.name))")
            let handle = try await dbos.start($researchAgent, question, options: WorkflowOptions(workflowID: id))
            do {
                let report = try await handle.result()
                print(Report.describe(report))
                await dbos.shutdown()
            } catch let failure as MalformedModelOutput {
                let failedStep = try await dbos.listSteps(id).first { $0.error != nil }
                await dbos.shutdown()
                print("""

                    ✗ Workflow \(id) FAILED at step \(failedStep.map { "\($0.functionID) (\($0.functionName))" } ?? "?"): \(failure.problem)

                    Inspect every recorded step (the failing one and the outputs of all earlier ones):
                      swift run dbos-swift workflow steps \(id) --database-url \(options.databaseForCLI)
                    Then fix the prompt and fork from the failed step (earlier tool calls are not repeated):
                      swift run agent-debugging fork \(id) --fixed-prompt\(forwarded)
                    """)
                throw ExitCode.failure
            }
        }

        private var forwarded: String {
            options.example.databaseURL.map { " --database-url \($0)" } ?? ""
        }
    }

    /// `agent-debugging fork ID`: fork a workflow from a step and run it to completion here.
    struct Fork: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fork a workflow from a step (default: its failed step), run the fork with this code, print the result.")

        @OptionGroup var options: AgentOptions

        @Argument(help: "The workflow to fork.")
        var workflowID: String

        @Option(help: "The step to rerun from; earlier steps reuse their recorded outputs (default: the failed step).")
        var fromStep: Int?

        @Option(help: "The new workflow's ID (default: a random UUID).")
        var newID: String?

        func run() async throws {
            let dbos = try await options.launch()
            do {
                let step = try await stepToForkFrom(dbos)
                let forkID = try await dbos.fork(workflowID, fromStep: step, newID: newID)
                print("Forked \(workflowID) from step \(step) as \(forkID) (\(options.fixedPrompt ? "fixed" : "original") prompt); steps 1-\(step - 1) reuse their recorded outputs.")
                let report = try await dbos.retrieve(forkID, as: ResearchReport.self).result()
                print(Report.describe(report))
                print("Search tool calls executed by this process: \(Research.toolCallsHere.value)")
                print(Report.steps(try await dbos.listSteps(forkID), copiedBefore: step))
                await dbos.shutdown()
            } catch {
                await dbos.shutdown()
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }

        private func stepToForkFrom(_ dbos: DBOS) async throws -> Int {
            if let fromStep { return fromStep }
            _ = try await dbos.retrieve(workflowID, as: JSONValue.self)   // throws when there is no such workflow
            guard let failed = try await dbos.listSteps(workflowID).first(where: { $0.error != nil }) else {
                throw ValidationError("workflow \(workflowID) has no failed step: pass --from-step N")
            }
            return failed.functionID
        }
    }
}

/// Printing results.
enum Report {
    static func describe(_ report: ResearchReport) -> String {
        """

        ✓ \(report.summary.title)
        \(report.summary.findings.map { "  • \($0)" }.joined(separator: "\n"))
          sources: \(report.summary.sources.joined(separator: ", "))
        """
    }

    static func steps(_ steps: [StepRecord], copiedBefore step: Int) -> String {
        let lines = steps.map { record in
            let origin = record.functionID < step ? "recorded output reused" : "ran now"
            return "  \(record.functionID). \(record.functionName.padding(toLength: 12, withPad: " ", startingAt: 0)) \(origin)"
        }
        return "Steps of the fork:\n" + lines.joined(separator: "\n")
    }
}
