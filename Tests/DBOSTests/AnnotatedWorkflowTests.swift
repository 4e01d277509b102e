import DBOSTestSupport
import DBOSTesting
import Foundation
import Testing
@testable import DBOS

// Annotated workflows and steps, declared the way users write them. Step bodies count their
// executions in `annotatedRuns`, keyed by a tag each test makes unique.

let annotatedRuns = Counter()

struct AnnotatedFlakiness: Error, Codable {}

@Step func annotatedFetch(_ url: String, tag: String) async throws -> String {
    annotatedRuns.hit("\(tag):fetch")
    return "page at \(url)"
}

@Step(name: "embedText", retries: .exponential(maxAttempts: 3, initialInterval: .milliseconds(1)))
func annotatedEmbed(_ text: String, tag: String) async throws -> Int {
    if annotatedRuns.hit("\(tag):embed") < 2 { throw AnnotatedFlakiness() }
    return text.count
}

@Workflow func annotatedIndex(_ url: String, tag: String) async throws -> Int {
    let text = try await annotatedFetch(url, tag: tag)
    return try await annotatedEmbed(text, tag: tag)
}

/// The closure form of `annotatedIndex`, under the same names.
func closureIndex() -> Workflow<String, String, Int> {
    Workflow("annotatedIndex") { (url: String, tag: String) async throws -> Int in
        let text = try await DBOS.step("annotatedFetch") {
            annotatedRuns.hit("\(tag):fetch")
            return "page at \(url)"
        }
        return try await DBOS.step("embedText", retries: .exponential(maxAttempts: 3, initialInterval: .milliseconds(1))) {
            if annotatedRuns.hit("\(tag):embed") < 2 { throw AnnotatedFlakiness() }
            return text.count
        }
    }
}

@Step func annotatedSearch(_ tag: String) async throws -> [String] {
    annotatedRuns.hit("\(tag):search")
    return ["result"]
}

/// Searches, then sleeps durably (long enough for the test to stop the runtime mid-sleep).
@Workflow(name: "annotatedAgent", maxRecoveryAttempts: 5)
func annotatedAgent(_ tag: String, pauseMilliseconds: Int) async throws -> String {
    let results = try await annotatedSearch(tag)
    try await DBOS.sleep(for: .milliseconds(pauseMilliseconds))
    return "done with \(results.count)"
}

@Step func annotatedRecord(_ tag: String) async throws {
    annotatedRuns.hit("\(tag):record")
}

@Workflow func annotatedNotify(_ tag: String) async throws {
    try await annotatedRecord(tag)
    if tag.isEmpty { return }
    try await annotatedRecord(tag)
}

@Workflow func annotatedParent(_ url: String, tag: String) async throws -> Int {
    let first = try await annotatedIndex(url, tag: tag + "-a")
    let second = try await annotatedIndex(url + "/2", tag: tag + "-b")
    return first + second
}

/// A step declared as an instance method of a Sendable value.
struct AnnotatedGreeter: Sendable {
    let greeting: String

    @Step func greet(_ name: String) async throws -> String {
        annotatedRuns.hit("\(name):greet")
        return "\(greeting), \(name)"
    }
}

@Workflows enum AnnotatedIngest {
    @Step static func double(_ value: Int) async throws -> Int { value * 2 }

    @Workflow(name: "AnnotatedIngest.total")
    static func total(_ values: [Int]) async throws -> Int {
        var sum = 0
        for value in values { sum += try await double(value) }
        return sum
    }

    @Workflow static func greetAll(_ names: [String]) async throws -> [String] {
        var greetings: [String] = []
        for name in names { greetings.append(try await AnnotatedGreeter(greeting: "Hello").greet(name)) }
        return greetings
    }
}

@Suite struct AnnotatedWorkflowTests {
    static func tag() -> String { UUID().uuidString.prefix(8).lowercased() }

    @Test(arguments: Backend.available)
    func annotatedWorkflowCheckpointsItsSteps(backend: Backend) async throws {
        let tag = Self.tag()
        try await withRuntime(try await backend.freshDatabaseURL(), $annotatedIndex) { dbos in
            let output = try await dbos.run($annotatedIndex, "https://example.com", tag, options: WorkflowOptions(workflowID: "index-\(tag)"))
            #expect(output == "page at https://example.com".count)
            let steps = try await dbos.listSteps("index-\(tag)")
            #expect(steps.map(\.functionName) == ["annotatedFetch", "embedText"])
            #expect(steps.map(\.output) == ["\"page at https://example.com\"", "27"])
            #expect(annotatedRuns.count("\(tag):embed") == 2, "the step retried once")

            // Running the same ID again replays the recorded outcome.
            _ = try await dbos.run($annotatedIndex, "https://example.com", tag, options: WorkflowOptions(workflowID: "index-\(tag)"))
            #expect(annotatedRuns.count("\(tag):fetch") == 1)
        }
    }

    @Test(arguments: Backend.available)
    func annotatedAndClosureWorkflowsWriteIdenticalRows(backend: Backend) async throws {
        // Same inputs (and so the same tag) for both forms, each in a database of its own.
        let annotatedTag = Self.tag()
        let annotatedURL = try await backend.freshDatabaseURL("annotated"), closureURL = try await backend.freshDatabaseURL("closure")
        let annotated = try await withRuntime(annotatedURL, $annotatedIndex) { dbos in
            _ = try await dbos.run($annotatedIndex, "https://example.com/a", annotatedTag, options: WorkflowOptions(workflowID: "same-id"))
            return (try await dbos.getWorkflowStatus("same-id"), try await dbos.listSteps("same-id"))
        }
        let closure = closureIndex()
        let plain = try await withRuntime(closureURL, closure) { dbos in
            _ = try await dbos.run(closure, "https://example.com/a", annotatedTag, options: WorkflowOptions(workflowID: "same-id"))
            return (try await dbos.getWorkflowStatus("same-id"), try await dbos.listSteps("same-id"))
        }
        let a = try #require(annotated.0), c = try #require(plain.0)
        #expect(a.name == c.name)
        #expect(a.input == c.input)
        #expect(a.input == #"{"positionalArgs":["https://example.com/a","\#(annotatedTag)"],"namedArgs":{}}"#)
        #expect(a.output == c.output)
        #expect(a.error == c.error)
        #expect(a.state == c.state)
        #expect(a.serialization == c.serialization)
        #expect(annotated.1.map(\.functionID) == plain.1.map(\.functionID))
        #expect(annotated.1.map(\.functionName) == plain.1.map(\.functionName))
        #expect(annotated.1.map(\.output) == plain.1.map(\.output))
        #expect(annotated.1.map(\.error) == plain.1.map(\.error))
        #expect(annotated.1.map(\.childWorkflowID) == plain.1.map(\.childWorkflowID))
    }

    @Test(arguments: Backend.available)
    func annotatedWorkflowRecoversAfterARestart(backend: Backend) async throws {
        let tag = Self.tag()
        let id = "agent-\(tag)"
        let runtime = try TestRuntime(database: .url(try await backend.freshDatabaseURL()), configure: { $0.applicationVersion = "test-version" }) {
            try $0.register($annotatedAgent)
        }
        try await runtime.launch()
        // Stopped in its durable sleep (on the test clock); the next runtime sleeps only what is left.
        _ = try await runtime.dbos.start($annotatedAgent, tag, 8_000, options: WorkflowOptions(workflowID: id))
        await runtime.clock.waitForSleepers()
        await runtime.crash()
        let client = try await DBOSClient(databaseURL: runtime.databaseURL)
        #expect(try await client.getWorkflowStatus(id)?.state == .pending)
        #expect(try await client.listSteps(id).map(\.functionName) == ["annotatedSearch", "DBOS.sleep"])
        await client.close()

        try await runtime.restart()
        let second = runtime.dbos
        await runtime.clock.waitForSleepers()
        await runtime.advance(by: .seconds(8))
        #expect(try await second.retrieve(id, as: String.self).result() == "done with 1")
        #expect(annotatedRuns.count("\(tag):search") == 1, "the completed step was replayed, not run again")
        #expect(try await second.listSteps(id).map(\.functionName) == ["annotatedSearch", "DBOS.sleep"])
        let status = try #require(try await second.getWorkflowStatus(id))
        #expect(status.name == "annotatedAgent")
        #expect(status.recoveryAttempts >= 2)
        await runtime.shutdown()
    }

    @Test(arguments: Backend.available)
    func functionsReturningNothingRecordNull(backend: Backend) async throws {
        let tag = Self.tag()
        try await withRuntime(try await backend.freshDatabaseURL(), $annotatedNotify) { dbos in
            let output = try await dbos.run($annotatedNotify, tag, options: WorkflowOptions(workflowID: "notify-\(tag)"))
            #expect(output == NoOutput())
            #expect(annotatedRuns.count("\(tag):record") == 2)
            let status = try #require(try await dbos.getWorkflowStatus("notify-\(tag)"))
            #expect(status.output == "null")
            let steps = try await dbos.listSteps("notify-\(tag)")
            #expect(steps.map(\.functionName) == ["annotatedRecord", "annotatedRecord"])
            #expect(steps.map(\.output) == ["null", "null"])
        }
    }

    @Test(arguments: Backend.available)
    func callingAnAnnotatedWorkflowInsideAWorkflowStartsAChild(backend: Backend) async throws {
        let tag = Self.tag()
        try await withRuntime(try await backend.freshDatabaseURL(), $annotatedIndex, $annotatedParent) { dbos in
            let output = try await dbos.run($annotatedParent, "https://x.org", tag, options: WorkflowOptions(workflowID: "p-\(tag)"))
            #expect(output == "page at https://x.org".count + "page at https://x.org/2".count)
            let steps = try await dbos.listSteps("p-\(tag)")
            #expect(steps.map(\.functionName) == ["annotatedIndex", "DBOS.getResult", "annotatedIndex", "DBOS.getResult"])
            #expect(steps.map(\.childWorkflowID) == ["p-\(tag)-1", "p-\(tag)-1", "p-\(tag)-3", "p-\(tag)-3"])
            let child = try #require(try await dbos.getWorkflowStatus("p-\(tag)-1"))
            #expect(child.parentWorkflowID == "p-\(tag)")
            #expect(try await dbos.listSteps("p-\(tag)-1").map(\.functionName) == ["annotatedFetch", "embedText"])
        }
    }

    @Test(arguments: Backend.available)
    func staticWorkflowsRegisterThroughTheGeneratedList(backend: Backend) async throws {
        #expect(AnnotatedIngest.workflows.map(\.registration.name) == ["AnnotatedIngest.total", "greetAll"])
        let tag = Self.tag()
        let dbos = try DBOS(config: DBOSConfig(name: "test", systemDatabaseURL: try await backend.freshDatabaseURL()))
        try dbos.register(AnnotatedIngest.workflows)
        try await dbos.launch()
        do {
            #expect(try await dbos.run(AnnotatedIngest.$total, [1, 2, 3], options: WorkflowOptions(workflowID: "total")) == 12)
            #expect(try await dbos.listSteps("total").map(\.functionName) == ["double", "double", "double"])
            let greetings = try await dbos.run(AnnotatedIngest.$greetAll, ["ada-\(tag)"], options: WorkflowOptions(workflowID: "greet"))
            #expect(greetings == ["Hello, ada-\(tag)"])
            #expect(try await dbos.listSteps("greet").map(\.functionName) == ["greet"])
            #expect(annotatedRuns.count("ada-\(tag):greet") == 1)
            await dbos.shutdown()
        } catch {
            await dbos.shutdown()
            throw error
        }
    }

    @Test func stepsOutsideAWorkflowJustRun() async throws {
        let tag = Self.tag()
        #expect(try await annotatedFetch("u", tag: tag) == "page at u")
        #expect(try await annotatedFetch("u", tag: tag) == "page at u")
        #expect(annotatedRuns.count("\(tag):fetch") == 2)
        #expect(try await AnnotatedIngest.double(21) == 42)
    }
}

/// Runs `annotated-crash-fixture` (an annotated workflow of three `@Step`s) as a real child
/// process, SIGKILLs it after its second step, restarts it, and counts how often each step body ran.
@Suite struct AnnotatedCrashRecoveryTests {
    @Test(arguments: Backend.available)
    func killedAnnotatedWorkflowResumesAfterItsLastCompletedStep(backend: Backend) async throws {
        let run = try await FixtureRun(backend: backend, program: "annotated-crash-fixture")
        let crashed = try run.launch(["--crash-after-step", "2"])
        let crashedStatus = try await crashed.waitForExit()
        #expect(crashedStatus == 128 + SIGKILL)
        #expect(run.counterLines() == ["step1", "step2"])

        let restarted = try run.launch([])
        let restartedStatus = try await restarted.waitForExit()
        let output = restarted.output
        #expect(restartedStatus == 0, "\(output)")
        #expect(output.contains("RESULT [10,20,30]"))
        #expect(run.counterLines() == ["step1", "step2", "step3"], "each completed step body ran exactly once")

        let client = try await DBOSClient(databaseURL: run.databaseURL)
        let status = try #require(try await client.getWorkflowStatus(run.workflowID))
        #expect(status.state == .success)
        #expect(status.name == "annotatedFixture")
        #expect(status.recoveryAttempts == 2)
        #expect(try await client.listSteps(run.workflowID).map(\.functionName) == ["fixtureStep", "fixtureStep", "fixtureStep"])
        await client.close()
    }
}
