import Synchronization

/// Numbers the tokens of one model turn attempt (0, 1, ...).
final class TokenCounter: Sendable {
    private let count = Mutex(0)

    /// The next position.
    func next() -> Int { count.withLock { value in defer { value += 1 }; return value } }
}
