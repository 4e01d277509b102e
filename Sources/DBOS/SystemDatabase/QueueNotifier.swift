import Synchronization

/// Tells other processes that a queue has new work (PostgreSQL NOTIFY), coalescing bursts: one
/// notification per queue is in flight at a time, and enqueues that commit while it is in flight
/// are announced by one more notification sent after it. Every enqueue is thus followed by a
/// notification sent after its commit, and a burst of a thousand enqueues costs a handful.
final class QueueNotifier: Sendable {
    private enum Pending { case inFlight, inFlightWithMore }
    private let queues = Mutex<[String: Pending]>([:])
    private let send: @Sendable (String) async -> Void

    /// `send` delivers one notification (best effort: a failed one is made up for by polling).
    init(send: @escaping @Sendable (String) async -> Void) {
        self.send = send
    }

    /// Announces new work on `queue`: sends now, or leaves it to the notification in flight.
    func notify(_ queue: String) async {
        let sendNow = queues.withLock { queues -> Bool in
            guard queues[queue] != nil else {
                queues[queue] = .inFlight
                return true
            }
            queues[queue] = .inFlightWithMore
            return false
        }
        guard sendNow else { return }
        while true {
            await send(queue)
            let again = queues.withLock { queues -> Bool in
                if queues[queue] == .inFlightWithMore {
                    queues[queue] = .inFlight
                    return true
                }
                queues[queue] = nil
                return false
            }
            if !again { return }
        }
    }
}
