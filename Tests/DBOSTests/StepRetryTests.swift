import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

struct Flaky: Error, CustomStringConvertible {
    var attempt: Int
    var description: String { "flaky failure on attempt \(attempt)" }
}

@Suite struct StepRetryTests {
    @Test(arguments: Backend.available)
    func retriesWithBackoffAndRecordsOnlyTheFinalAttempt(backend: Backend) async throws {
        let counter = Counter()
        let times = TimestampLog()
        let flaky = Workflow("flaky") { () async throws -> String in
            try await DBOS.step("call", retries: .exponential(maxAttempts: 4, initialInterval: .milliseconds(40), backoffRate: 2)) {
                times.append()
                let attempt = counter.hit("call")
                if attempt < 3 { throw Flaky(attempt: attempt) }
                return "ok on \(attempt)"
            }
        }
        try await withRuntime(try await backend.freshDatabaseURL(), flaky) { dbos in
            #expect(try await dbos.run(flaky, options: WorkflowOptions(workflowID: "retry")) == "ok on 3")
            #expect(counter.count("call") == 3)
            let gaps = times.gaps()
            #expect(gaps.count == 2)
            #expect(gaps[0] >= 0.040 && gaps[1] >= 0.080, "backoff doubles: \(gaps)")
            let steps = try await dbos.listSteps("retry")
            #expect(steps.count == 1)
            #expect(steps.first?.output == #""ok on 3""#)
            #expect(steps.first?.error == nil)
        }
    }

    @Test(arguments: Backend.available)
    func exhaustedRetriesCarryTheLastError(backend: Backend) async throws {
        let counter = Counter()
        let doomed = Workflow("doomed") { () async throws -> Int in
            try await DBOS.step("call", retries: .exponential(maxAttempts: 3, initialInterval: .milliseconds(1))) {
                throw Flaky(attempt: counter.hit("call"))
            }
        }
        try await withRuntime(try await backend.freshDatabaseURL(), doomed) { dbos in
            do {
                _ = try await dbos.run(doomed, options: WorkflowOptions(workflowID: "doomed-1"))
                Issue.record("expected the workflow to fail")
            } catch let error as DBOSError where error.code == .workflowFailed {
                let failure = try #require(error.failure)
                #expect(failure.name == "DBOSError")
                #expect(failure.message.contains("step 'call' failed after 3 attempts"))
                #expect(failure.message.contains("Flaky: flaky failure on attempt 3"))
            }
            #expect(counter.count("call") == 3)
            let steps = try await dbos.listSteps("doomed-1")
            #expect(steps.count == 1)
            let recorded = try PortableJSON.decode(WorkflowFailure.self, from: steps[0].error ?? "", what: "step error")
            #expect(recorded.message.contains("attempt 3"))
            #expect(try await dbos.getWorkflowStatus("doomed-1")?.state == .error)
        }
    }

    /// As DBOS's `DBOSMaxStepRetriesExceeded.errors`: the error of exhausted retries carries
    /// every attempt's error, first to last, and so does its replay from the record.
    @Test(arguments: Backend.available)
    func exhaustedRetriesCarryEveryAttemptsError(backend: Backend) async throws {
        let counter = Counter()
        let catcher = Workflow("catcher") { () async throws -> [String] in
            do {
                _ = try await DBOS.step("call", retries: .exponential(maxAttempts: 3, initialInterval: .milliseconds(1))) { () async throws -> Int in
                    throw Flaky(attempt: counter.hit("call"))
                }
                return []
            } catch let error as DBOSError where error.code == .maxStepRetriesExceeded {
                let attempts = error.attemptFailures.map(\.message) + [error.failure?.message ?? "no last error"]
                return try await DBOS.step("seen") { attempts }
            }
        }
        try await withRuntime(try await backend.freshDatabaseURL(), catcher) { dbos in
            let expected = (1...3).map { "flaky failure on attempt \($0)" }
            let seen = try await dbos.run(catcher, options: WorkflowOptions(workflowID: "catcher-1"))
            #expect(seen == expected + [expected[2]])
            // A fork from the second operation replays the first one's recorded error.
            let replay = try await dbos.retrieve("catcher-1", as: [String].self).fork(fromStep: 2)
            #expect(try await replay.result() == seen)
            #expect(counter.count("call") == 3, "the replay did not run the step again")
        }
    }

    @Test(arguments: Backend.available)
    func errorsTheRetryPredicateRejectsFailAtOnce(backend: Backend) async throws {
        let counter = Counter()
        let picky = Workflow("picky") { () async throws -> Int in
            try await DBOS.step("call", retries: .exponential(maxAttempts: 5, initialInterval: .milliseconds(1), retryIf: { !($0 is Flaky) })) {
                throw Flaky(attempt: counter.hit("call"))
            }
        }
        try await withRuntime(try await backend.freshDatabaseURL(), picky) { dbos in
            await #expect(throws: DBOSError.self) { _ = try await dbos.run(picky) }
            #expect(counter.count("call") == 1)
        }
    }
}

/// Records the instants at which a closure ran.
final class TimestampLog: Sendable {
    private let times = Mutex<[ContinuousClock.Instant]>([])
    func append() { times.withLock { $0.append(.now) } }
    /// Seconds between consecutive entries.
    func gaps() -> [Double] {
        let all = times.withLock { $0 }
        return zip(all, all.dropFirst()).map { ($1 - $0).seconds }
    }
}

import Synchronization
