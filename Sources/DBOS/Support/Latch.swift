import Synchronization

/// A value that becomes available once; every waiter, early or late, receives it.
final class Latch<Value: Sendable>: Sendable {
    private struct State {
        var opened = false
        var value: Value?
        var waiters: [CheckedContinuation<Value?, Never>] = []
    }

    private let state = Mutex(State())

    /// Makes `value` available (the first call wins; nil releases the waiters with nothing).
    func open(_ value: Value?) {
        let waiters = state.withLock { state -> [CheckedContinuation<Value?, Never>] in
            guard !state.opened else { return [] }
            state.opened = true
            state.value = value
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    /// The value, once it is available.
    var value: Value? {
        get async {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> (Bool, Value?) in
                    if state.opened { return (true, state.value) }
                    state.waiters.append(continuation)
                    return (false, nil)
                }
                if ready.0 { continuation.resume(returning: ready.1) }
            }
        }
    }
}
