import Synchronization

/// The schedules registered in one runtime before launch.
final class ScheduleRegistry: Sendable {
    private struct State {
        var schedules: [RegisteredSchedule] = []
        var started = false
    }

    private let state = Mutex(State())

    func add(_ schedule: RegisteredSchedule) throws {
        try state.withLock { state in
            guard !state.started else { throw DBOSError.registrationError("register schedules before launch()") }
            if state.schedules.contains(where: { $0.name == schedule.name }) {
                throw DBOSError.registrationError("a schedule named '\(schedule.name)' is already registered")
            }
            state.schedules.append(schedule)
        }
    }

    var registered: [RegisteredSchedule] { state.withLock { $0.schedules } }

    /// Closes registration and returns the schedules.
    func start() throws -> [RegisteredSchedule] {
        try state.withLock { state in
            guard !state.started else { throw DBOSError.registrationError("schedules were already started") }
            state.started = true
            return state.schedules
        }
    }
}

/// A schedule registered in this process.
struct RegisteredSchedule: Sendable {
    var name: String
    var cron: CronSchedule
    var workflowName: String
    /// Portable JSON of the context (`null` when the workflow takes none).
    var context: String
    /// Whether the workflow takes the context as its second input.
    var passesContext: Bool
    var queueName: String
    var timeZoneName: String?
}
