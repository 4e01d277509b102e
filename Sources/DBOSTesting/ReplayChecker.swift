@_spi(DBOSTesting) public import DBOS
import Foundation

/// Checks, before a deploy, that the current workflow code still replays the histories a
/// database recorded: each workflow's code runs against its recorded operations without
/// executing a step or writing anything, and every workflow whose code now asks for other
/// operations (or in another order) is reported with the operation where they part.
///
/// A recovered workflow replays its history with the code deployed at the time; code that no
/// longer matches fails the recovery with ``DBOS/DBOSError/Code/unexpectedStep``. Run the
/// checker in CI against a copy of production's system database (or the database of a test
/// that ran the old code) and deploy only when ``Report/mismatches`` is empty, or guard the
/// change with `DBOS.patch`.
///
/// ```swift
/// let checker = try ReplayChecker(register: { try $0.register($processOrder) })
/// let report = try await checker.check(databaseURL: "sqlite:///tmp/recorded.sqlite")
/// #expect(report.mismatches.isEmpty, "\(report)")
/// ```
public struct ReplayChecker: Sendable {
    /// What one workflow's replay found.
    public struct Mismatch: Sendable, Equatable, CustomStringConvertible {
        /// The workflow whose history the code no longer matches.
        public let workflowID: String
        /// Its registered name.
        public let workflowName: String
        /// The operation where code and history part ways (1 for the first), or nil when the
        /// code asked for every operation but ended differently.
        public let functionID: Int?
        /// The operation the history recorded there (nil: the history ends before it).
        public let recorded: String?
        /// The operation the code asks for there (nil: the code finishes without it).
        public let requested: String?
        /// One sentence saying what differs.
        public let detail: String

        /// `<workflow name> '<ID>': <detail>`.
        public var description: String { "\(workflowName) '\(workflowID)': \(detail)" }
    }

    /// What a check found.
    public struct Report: Sendable, CustomStringConvertible {
        /// How many workflows were replayed.
        public var checked = 0
        /// The workflows whose code no longer matches their history.
        public var mismatches: [Mismatch] = []
        /// Workflows not replayed: their name is not registered, or their inputs are in another
        /// language's format (with the reason).
        public var skipped: [(workflowID: String, reason: String)] = []

        /// A summary line, then one line per mismatch and the skipped workflows.
        public var description: String {
            var lines = ["replayed \(checked) workflows: \(mismatches.count) no longer match their history"]
            lines += mismatches.map { "  - \($0)" }
            if !skipped.isEmpty { lines.append("skipped \(skipped.count): " + skipped.map { "\($0.workflowID) (\($0.reason))" }.joined(separator: ", ")) }
            return lines.joined(separator: "\n")
        }
    }

    private let register: @Sendable (DBOS) throws -> Void

    /// A checker for the workflows that `register` registers (as the application does).
    public init(register: @escaping @Sendable (DBOS) throws -> Void) {
        self.register = register
    }

    /// Replays the workflows recorded in the system database at `databaseURL` that `filter`
    /// selects (default: every workflow) with the current code.
    ///
    /// Finished workflows must match their whole history and end the same way (success or
    /// error); unfinished ones (PENDING, ENQUEUED, CANCELLED, ...) must match the part
    /// recorded so far. Workflows of other names or languages are skipped.
    public func check(databaseURL: String, postgresSchema: String = "dbos",
                      filter: ListWorkflowsFilter = .init()) async throws -> Report {
        let client = try await DBOSClient(databaseURL: databaseURL, postgresSchema: postgresSchema)
        do {
            let report = try await check(client, filter: filter)
            await client.close()
            return report
        } catch {
            await client.close()
            throw error
        }
    }

    /// Replays the workflows of an export (`dbos-swift workflow export`, or
    /// `exportWorkflow(_:includeChildren:)`) with the current code, as ``check(databaseURL:postgresSchema:filter:)``
    /// does for a database.
    public func check(_ export: WorkflowExport) async throws -> Report {
        let histories = try export.workflows.map { (try $0.status(), try $0.steps()) }
        return try await check(histories.map { history in { history } })
    }

    private func check(_ client: DBOSClient, filter: ListWorkflowsFilter) async throws -> Report {
        var filter = filter
        filter.loadPayloads = true
        return try await check(try await client.listWorkflows(filter).map { workflow in
            { (workflow, try await client.listSteps(workflow.workflowID)) }
        })
    }

    /// Replays each history (read when its turn comes) on a runtime that is never launched:
    /// its registry, error types and clock drive the replay.
    private func check(_ histories: [() async throws -> (WorkflowStatus, [StepRecord])]) async throws -> Report {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dbos-replay-\(UUID().uuidString)")
        let runtime = try DBOS(config: DBOSConfig(name: "replay-check", systemDatabaseURL: folder.appendingPathComponent("unused.sqlite").path))
        try register(runtime)
        var report = Report()
        for history in histories {
            let (workflow, steps) = try await history()
            switch await runtime.replayHistory(of: workflow, steps: steps) {
            case .matches:
                report.checked += 1
            case .notRegistered:
                report.skipped.append((workflow.workflowID, "workflow '\(workflow.name)' is not registered"))
            case .unreadable(let reason):
                report.skipped.append((workflow.workflowID, reason))
            case .differs(let functionID, let recorded, let requested):
                report.checked += 1
                report.mismatches.append(Mismatch(
                    workflowID: workflow.workflowID, workflowName: workflow.name, functionID: functionID,
                    recorded: recorded, requested: requested,
                    detail: Self.describe(functionID: functionID, recorded: recorded, requested: requested)))
            case .endsDifferently(let detail):
                report.checked += 1
                report.mismatches.append(Mismatch(workflowID: workflow.workflowID, workflowName: workflow.name,
                                                  functionID: nil, recorded: nil, requested: nil, detail: detail))
            }
        }
        return report
    }

    private static func describe(functionID: Int, recorded: String?, requested: String?) -> String {
        switch (recorded, requested) {
        case let (recorded?, requested?):
            return "operation \(functionID) was recorded as '\(recorded)' but the code now calls '\(requested)'"
        case let (nil, requested?):
            return "the code now calls '\(requested)' as operation \(functionID), which the finished workflow never recorded"
        case let (recorded?, nil):
            return "the history has '\(recorded)' as operation \(functionID), which the code no longer calls"
        case (nil, nil):
            return "operation \(functionID) differs"
        }
    }
}
