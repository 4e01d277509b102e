import Synchronization

/// Counts the tries of a transaction body that `RetryingDriver` may run again: a body that
/// finds itself on a later try knows an earlier one may have committed without its answer
/// arriving, and reads back what that try wrote.
final class TryCounter: Sendable {
    private let tries = Mutex(0)
    func next() -> Int { tries.withLock { $0 += 1; return $0 } }
    /// How many tries began.
    var count: Int { tries.withLock { $0 } }
}
