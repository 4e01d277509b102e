import DBOSTestSupport
import Foundation
import Testing

/// Runs the README's demo (`dbos-demo`, written with @Workflow/@Step) as real processes: the
/// first run SIGKILLs itself after step 2; the second run recovers the workflow, replays steps
/// 1-2 from their checkpoints and runs only steps 3-4.
@Suite(.timeLimit(.minutes(5))) struct DemoTests {
    @Test(arguments: Backend.available)
    func demoCrashesThenResumesFromTheLastCheckpoint(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("demo")
        let crashed = try await CLI.run(["--crash-after-step", "2"], database: url, program: "dbos-demo")
        #expect(crashed.status == 128 + SIGKILL, "\(crashed.stderr)")
        #expect(crashed.stdout.contains("step 2 search: running"))
        #expect(!crashed.stdout.contains("step 3 summarize: running"))

        let resumed = try await CLI.run([], database: url, program: "dbos-demo")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let out = resumed.stdout
        #expect(out.contains("Found unfinished workflow research-"))
        #expect(!out.contains("step 1 plan: running") && !out.contains("step 2 search: running"))
        #expect(out.contains("step 3 summarize: running") && out.contains("step 4 publish: running"))
        #expect(out.contains("1. plan       replayed from its checkpoint"))
        #expect(out.contains("2. search     replayed from its checkpoint"))
        #expect(out.contains("3. summarize  executed in this process"))
        #expect(out.contains("4. publish    executed in this process"))
        #expect(out.contains("published: summary of 5 sources for 3 questions about durable workflows"))

        // A third run has nothing to recover: it starts (and finishes) a new workflow.
        let fresh = try await CLI.run([], database: url, program: "dbos-demo")
        #expect(fresh.status == 0)
        #expect(!fresh.stdout.contains("Found unfinished") && fresh.stdout.contains("step 1 plan: running"))
    }
}
