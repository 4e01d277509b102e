import ArgumentParser
import DBOS
import Foundation

/// `dbos-swift workflow gc --older-than 7d [--keep-latest N]`
struct GarbageCollect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete finished workflows older than a cut, with everything recorded for them.",
        discussion: """
            Deletes SUCCESS, ERROR, CANCELLED and MAX_RECOVERY_ATTEMPTS_EXCEEDED workflows that \
            completed before the cut (--older-than or --completed-before), keeping the \
            --keep-latest most recent whatever their age, with their steps, messages, events, \
            streams and finished descendants. Running, queued and delayed workflows are never \
            touched. Deletes in batches, so workers keep running meanwhile.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("older-than"), help: "Age of the cut: a number with s, m, h or d (7d, 12h).")
    var olderThan: String?

    @Option(name: .customLong("completed-before"), help: "The cut as an ISO 8601 time (2026-11-30T00:00:00Z).")
    var completedBefore: String?

    @Option(name: .customLong("keep-latest"), help: "Keep this many of the most recently completed workflows.")
    var keepLatest: Int?

    @Flag(help: "Print a JSON object.")
    var json = false

    func validate() throws {
        if olderThan != nil && completedBefore != nil {
            throw ValidationError("give --older-than or --completed-before, not both")
        }
        if olderThan == nil && completedBefore == nil && keepLatest == nil {
            throw ValidationError("give --older-than, --completed-before or --keep-latest")
        }
        if let keepLatest, keepLatest < 0 { throw ValidationError("--keep-latest must not be negative") }
        _ = try cut()
    }

    /// The cut the options name, or nil.
    private func cut() throws -> Date? {
        if let olderThan {
            guard let age = Self.age(olderThan) else {
                throw ValidationError("--older-than '\(olderThan)' is not a number followed by s, m, h or d")
            }
            return Date() - age
        }
        if let completedBefore {
            guard let date = ISO8601DateFormatter().date(from: completedBefore) else {
                throw ValidationError("--completed-before '\(completedBefore)' is not an ISO 8601 time such as 2026-11-30T00:00:00Z")
            }
            return date
        }
        return nil
    }

    /// Seconds in `text` ("90s", "30m", "12h", "7d").
    static func age(_ text: String) -> TimeInterval? {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let number = Double(text.dropLast()), number >= 0 else { return nil }
        return number * unit
    }

    func run() async throws {
        let cut = try cut()
        try await database.withClient { client in
            let report = try await client.garbageCollect(completedBefore: cut, keepLatest: keepLatest)
            if json {
                JSON.object([
                    ("workflows", .int(Int64(report.workflows))), ("steps", .int(Int64(report.steps))),
                    ("messages", .int(Int64(report.messages))), ("events", .int(Int64(report.events))),
                    ("streamValues", .int(Int64(report.streamValues))),
                ]).print()
            } else {
                print("Deleted \(report.workflows) finished workflows, \(report.steps) steps, \(report.messages) messages, "
                      + "\(report.events) events and \(report.streamValues) stream values")
            }
        }
    }
}
