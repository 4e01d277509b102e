import Foundation

/// One attempt of a step body under a timeout: the body runs in a child task that is cancelled
/// at the deadline (on the runtime's clock), and the attempt then fails with ``DBOSError/Code/stepTimedOut``.
enum StepDeadline {
    private enum Outcome<T: Sendable>: Sendable {
        case finished(T)
        case deadline
    }

    static func run<T: Sendable>(step: String, timeout: Duration?, clock: any DBOSClock,
                                 _ body: @Sendable () async throws -> T) async throws -> T {
        guard let timeout else { return try await body() }
        let deadline = clock.now.addingTimeInterval(timeout.kept.seconds)
        // The group waits for both children before it returns, so the body does not outlive
        // this call.
        return try await withoutActuallyEscaping(body) { body in
            try await withThrowingTaskGroup(of: Outcome<T>.self) { group in
                group.addTask { .finished(try await body()) }
                group.addTask {
                    try await clock.sleep(until: deadline)
                    return .deadline
                }
                defer { group.cancelAll() }
                switch try await group.next() {
                case .finished(let value)?: return value
                case .deadline?, nil: throw DBOSError.stepTimedOut(step: step, after: timeout)
                }
            }
        }
    }
}
