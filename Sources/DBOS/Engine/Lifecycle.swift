import Synchronization

/// The phases of a runtime: created, starting, running, stopping, stopped. Pure state (no
/// I/O): the runtime asks it what is allowed and tells it what happened.
final class Lifecycle: Sendable {
    enum Phase: Sendable, Equatable {
        case created, starting, running, stopping, stopped
    }

    private let phase = Mutex(Phase.created)
    /// Opened when startup has finished: with what recovery did, or with the startup error.
    let startup = Latch<Result<RecoveryReport, DBOSError>>()
    /// Opened when the runtime's task group has ended and the database is closed.
    let stopped = Latch<Void>()

    var current: Phase { phase.withLock { $0 } }

    /// Registration is only open before the runtime starts.
    func requireNotStarted(_ operation: String) throws {
        guard current == .created else { throw DBOSError.registrationError("\(operation) before the runtime starts (launch() or run())") }
    }

    /// Moves to `starting`; a runtime starts once.
    func beginStarting() throws {
        try phase.withLock { phase in
            switch phase {
            case .created: phase = .starting
            case .starting, .running: throw DBOSError.registrationError("the runtime was already started")
            case .stopping, .stopped:
                throw DBOSError.notLaunched(operation: "starting a runtime that was shut down or failed to start (create a new DBOS instance)")
            }
        }
    }

    /// The database is ready: workflows may start.
    func markRunning() {
        phase.withLock { if $0 == .starting { $0 = .running } }
    }

    func requireRunning(_ operation: String) throws {
        guard current == .running else { throw DBOSError.notLaunched(operation: operation) }
    }

    /// Moves to `stopping`. Returns the phase it left, or nil when already stopping or stopped.
    func beginStopping() -> Phase? {
        phase.withLock { phase in
            guard phase != .stopping && phase != .stopped else { return nil }
            defer { phase = .stopping }
            return phase
        }
    }

    func markStopped() {
        phase.withLock { $0 = .stopped }
        startup.open(.failure(DBOSError.shuttingDown))   // a startup that never finished did not succeed
        stopped.open(())
    }
}
