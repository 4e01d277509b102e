import ArgumentParser
import DBOS
import Foundation

/// `dbos-swift schedule ...`: the schedules stored in the system database, from any process or language.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "List, pause, resume, trigger and backfill stored cron schedules.",
        subcommands: [ListSchedules.self, PauseSchedule.self, ResumeSchedule.self, TriggerSchedule.self, BackfillSchedule.self])
}

extension ScheduleInfo {
    var json: JSON {
        .object([
            ("schedule_name", .string(name)), ("workflow_name", .string(workflowName)), ("schedule", .string(cron)),
            ("status", .string(status)), ("context", .string(context)), ("last_fired_at", .string(lastFiredAt)),
            ("queue_name", .string(queueName)), ("cron_timezone", .string(timeZone)),
        ])
    }
}

/// `dbos-swift schedule list [NAME] [--json]`
struct ListSchedules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the stored schedules (or one, by name).")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "Only this schedule.")
    var name: String?

    @Flag(help: "Print a JSON array (the columns of workflow_schedules).")
    var json = false

    func run() async throws {
        try await database.withClient { client in
            var schedules = try await client.listSchedules()
            if let name {
                schedules = schedules.filter { $0.name == name }
                if schedules.isEmpty { throw CLIFailure("schedule '\(name)' does not exist") }
            }
            if json { return JSON.array(schedules.map(\.json)).print() }
            for schedule in schedules {
                print("\(schedule.name)  \(schedule.cron)  \(schedule.status)  \(schedule.workflowName)  last fired \(schedule.lastFiredAt ?? "never")")
            }
        }
    }
}

/// `dbos-swift schedule pause NAME`
struct PauseSchedule: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause a schedule in every process.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The schedule's name.") var name: String

    func run() async throws {
        try await database.withClient { client in
            try await client.pauseSchedule(name)
            print("Paused schedule '\(name)'")
        }
    }
}

/// `dbos-swift schedule resume NAME`
struct ResumeSchedule: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused schedule.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The schedule's name.") var name: String

    func run() async throws {
        try await database.withClient { client in
            try await client.resumeSchedule(name)
            print("Resumed schedule '\(name)'")
        }
    }
}

/// `dbos-swift schedule trigger NAME`
struct TriggerSchedule: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trigger", abstract: "Enqueue the schedule's workflow now; prints its workflow ID.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The schedule's name.") var name: String

    func run() async throws {
        try await database.withClient { client in
            print(try await client.triggerSchedule(name))
        }
    }
}

/// `dbos-swift schedule backfill NAME --start TIME --end TIME`
struct BackfillSchedule: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Enqueue the runs a schedule would have made in a window; prints one workflow ID per tick.",
        discussion: "Ticks strictly between --start and --end. A tick whose workflow exists is not run again.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The schedule's name.") var name: String
    @Option(help: "The window's start, ISO 8601 (2026-11-30T00:00:00Z).") var start: String
    @Option(help: "The window's end, ISO 8601.") var end: String

    func validate() throws {
        guard let from = ISOTime.date(start) else { throw ValidationError("--start '\(start)' is not an ISO 8601 time") }
        guard let to = ISOTime.date(end) else { throw ValidationError("--end '\(end)' is not an ISO 8601 time") }
        if to <= from { throw ValidationError("--end must come after --start") }
    }

    func run() async throws {
        guard let from = ISOTime.date(start), let to = ISOTime.date(end) else { throw ValidationError("give ISO 8601 times") }
        try await database.withClient { client in
            for id in try await client.backfillSchedule(name, from: from, to: to) { print(id) }
        }
    }
}
