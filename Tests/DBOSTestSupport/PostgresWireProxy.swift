import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP proxy in front of a real PostgreSQL server that can lose the answer to a chosen write:
/// the server runs and commits it, and the client's connection drops before the client hears
/// so. That is the uncertain COMMIT of a failover or a network cut, made deterministic.
///
/// The proxy reads the protocol's message frames. A client statement (a simple query or an
/// extended-protocol Parse) whose text contains an armed pattern marks its connection; the
/// server's replies are then held from one ReadyForQuery to the next, and when the server
/// reports the connection idle again (the statement's transaction ended) without an error, the
/// held replies are thrown away and both sides are closed. Everything else passes through.
///
/// Connect through ``url(database:)``, which turns TLS off (the proxy reads plain frames).
public final class PostgresWireProxy: Sendable {
    private struct Armed {
        var pattern: String
        var remaining: Int
    }

    private let listener: Int32
    /// The port the proxy listens on (127.0.0.1).
    public let port: Int
    private let upstreamHost: String
    private let upstreamPort: Int
    private let armed = Mutex<[Armed]>([])
    /// Patterns whose next statement's answer is held, each with the gate that releases it.
    private let holds = Mutex<[(pattern: String, gate: DispatchSemaphore, engaged: Bool)]>([])
    /// A transaction's COMMIT held back from the server: `taken` once a connection's statement
    /// matched it (given back if that transaction ends without a COMMIT), `engaged` once that
    /// transaction's COMMIT waits at the gate.
    private struct CommitHold {
        var pattern: String
        var gate = DispatchSemaphore(value: 0)
        var taken = false
        var engaged = false
    }

    private let commitHolds = Mutex<[CommitHold]>([])
    private let statementTexts = Mutex<[String]>([])
    private let firedCounts = Mutex<[String: Int]>([:])
    private let sockets = Mutex<Set<Int32>>([])
    private let closed = Mutex(false)

    /// Starts a proxy to the server of `url` (a `postgresql://` URL).
    public init(upstream url: String) throws {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw TestFailure("not a PostgreSQL URL: \(url)")
        }
        upstreamHost = host
        upstreamPort = components.port ?? 5432
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw TestFailure("could not listen on 127.0.0.1: \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// `url` (the upstream's URL, for its user, password and database) pointed at the proxy,
    /// with TLS off.
    public func url(database url: String) -> String {
        var components = URLComponents(string: url)!
        components.host = "127.0.0.1"
        components.port = port
        components.queryItems = (components.queryItems ?? []).filter { $0.name != "sslmode" } + [URLQueryItem(name: "sslmode", value: "disable")]
        return components.string!
    }

    /// Loses the answer to the next `times` transactions that run a statement containing
    /// `pattern` (and commit it).
    public func loseCommit(ofStatementContaining pattern: String, times: Int = 1) {
        armed.withLock { $0.append(Armed(pattern: pattern, remaining: times)) }
    }

    /// Holds back the answer to the next statement containing `pattern` (the server has run it;
    /// its client waits) until ``release(_:)``.
    public func holdAnswer(toStatementContaining pattern: String) {
        holds.withLock { $0.append((pattern, DispatchSemaphore(value: 0), false)) }
    }

    /// Holds back from the server the COMMIT of the next transaction that runs a statement
    /// containing `pattern` and gets as far as its COMMIT (the server has run the statement and
    /// keeps its rows locked; the client waits for the COMMIT's answer) until ``release(_:)``: a
    /// commit that reaches the server late, after its client gave up on it.
    public func holdCommit(ofStatementContaining pattern: String) {
        commitHolds.withLock { $0.append(CommitHold(pattern: pattern)) }
    }

    /// Whether a statement containing `pattern` was sent and its answer (or, after
    /// ``holdCommit(ofStatementContaining:)``, its transaction's COMMIT) is being held.
    public func isHolding(_ pattern: String) -> Bool {
        holds.withLock { $0.contains { $0.pattern == pattern && $0.engaged } }
            || commitHolds.withLock { $0.contains { $0.pattern == pattern && $0.engaged } }
    }

    /// Lets the held answer to the statement containing `pattern` (or its held COMMIT) through.
    public func release(_ pattern: String) {
        holds.withLock { holds in
            guard let index = holds.firstIndex(where: { $0.pattern == pattern }) else { return }
            holds[index].gate.signal()
            holds.remove(at: index)
        }
        commitHolds.withLock { holds in
            guard let index = holds.firstIndex(where: { $0.pattern == pattern }) else { return }
            holds[index].gate.signal()
            holds.remove(at: index)
        }
    }

    /// How many statements sent so far contain `text`.
    public func statements(containing text: String) -> Int {
        statementTexts.withLock { $0.filter { $0.contains(text) }.count }
    }

    /// How many answers to statements containing `pattern` were lost so far.
    public func lost(_ pattern: String) -> Int { firedCounts.withLock { $0[pattern] ?? 0 } }

    /// Stops listening and closes every proxied connection.
    public func stop() {
        closed.withLock { $0 = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in sockets.withLock({ Array($0) }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    // MARK: - Connections

    private func acceptLoop() {
        while !closed.withLock({ $0 }) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            guard let server = connectUpstream() else {
                close(client)
                continue
            }
            sockets.withLock { $0.formUnion([client, server]) }
            let connection = Connection()
            Thread { [self] in pumpClientToServer(client: client, server: server, connection) }.start()
            Thread { [self] in pumpServerToClient(client: client, server: server, connection) }.start()
        }
    }

    private func connectUpstream() -> Int32? {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(upstreamHost, String(upstreamPort), &hints, &result) == 0, let info = result else { return nil }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard fd >= 0 else { return nil }
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// What the two directions of one proxied connection share.
    private final class Connection: Sendable {
        struct State {
            /// The armed pattern a statement of the current transaction matched.
            var marked: String?
            var failed = false
            var directionsEnded = 0
            /// The gate the next answer waits at, when a statement matched a hold.
            var heldAt: DispatchSemaphore?
            /// The commit-hold pattern a statement of the current transaction matched.
            var commitHeldFor: String?
        }
        let state = Mutex(State())
    }

    /// Client to server: passes every byte on at once, marking the connection when a statement
    /// matches an armed pattern.
    private func pumpClientToServer(client: Int32, server: Int32, _ connection: Connection) {
        var frames = FrameReader(startsUntyped: true)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(client, &buffer, buffer.count)
            guard count > 0 else { break }
            let chunk = Array(buffer[0..<count])
            var commitGate: DispatchSemaphore?
            for frame in frames.append(chunk) where frame.type == UInt8(ascii: "Q") || frame.type == UInt8(ascii: "P") {
                let text = String(decoding: frame.body, as: UTF8.self)
                statementTexts.withLock { $0.append(text) }
                if text.contains("COMMIT;"), let pattern = connection.state.withLock({ state in
                    defer { state.commitHeldFor = nil }
                    return state.commitHeldFor
                }) {
                    commitGate = commitHolds.withLock { holds in
                        guard let index = holds.firstIndex(where: { $0.pattern == pattern }) else { return nil }
                        holds[index].engaged = true
                        return holds[index].gate
                    }
                } else if text.contains("ROLLBACK") {
                    giveBackCommitHold(of: connection)
                } else if let pattern = commitHolds.withLock({ holds -> String? in
                    guard let index = holds.firstIndex(where: { !$0.taken && text.contains($0.pattern) }) else { return nil }
                    holds[index].taken = true
                    return holds[index].pattern
                }) {
                    connection.state.withLock { $0.commitHeldFor = pattern }
                }
                let gate = holds.withLock { holds -> DispatchSemaphore? in
                    guard let index = holds.firstIndex(where: { !$0.engaged && text.contains($0.pattern) }) else { return nil }
                    holds[index].engaged = true
                    return holds[index].gate
                }
                if let gate { connection.state.withLock { $0.heldAt = gate } }
                let match = armed.withLock { armed in armed.first { $0.remaining > 0 && text.contains($0.pattern) }?.pattern }
                if let match { connection.state.withLock { if $0.marked == nil { $0.marked = match } } }
            }
            commitGate?.wait()
            guard writeAll(server, chunk) else { break }
        }
        hangUp(client, server, connection)
    }

    /// Server to client: passes replies on, except that while the connection is marked it holds
    /// them up to each ReadyForQuery, and drops the connection instead of passing on the one
    /// that ends the marked transaction successfully.
    private func pumpServerToClient(client: Int32, server: Int32, _ connection: Connection) {
        var frames = FrameReader(startsUntyped: false)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var held: [UInt8] = []
        reading: while true {
            let count = read(server, &buffer, buffer.count)
            guard count > 0 else { break }
            for frame in frames.append(Array(buffer[0..<count])) {
                let gate = connection.state.withLock { state in
                    defer { state.heldAt = nil }
                    return state.heldAt
                }
                gate?.wait()
                let marked = connection.state.withLock { $0.marked }
                guard let pattern = marked else {
                    guard writeAll(client, frame.bytes) else { break reading }
                    continue
                }
                held += frame.bytes
                if frame.type == UInt8(ascii: "E") { connection.state.withLock { $0.failed = true } }
                guard frame.type == UInt8(ascii: "Z"), let status = frame.body.first else { continue }
                if status == UInt8(ascii: "I") {
                    let failed = connection.state.withLock { state in
                        defer { (state.marked, state.failed) = (nil, false) }
                        return state.failed
                    }
                    if !failed && take(pattern) {
                        break reading   // the transaction committed; its answer is lost
                    }
                }
                guard writeAll(client, held) else { break reading }
                held.removeAll()
            }
        }
        hangUp(client, server, connection)
    }

    /// Uses up one loss of `pattern`; false when it is no longer armed.
    private func take(_ pattern: String) -> Bool {
        let taken = armed.withLock { armed -> Bool in
            guard let index = armed.firstIndex(where: { $0.pattern == pattern && $0.remaining > 0 }) else { return false }
            armed[index].remaining -= 1
            return true
        }
        if taken { firedCounts.withLock { $0[pattern, default: 0] += 1 } }
        return taken
    }

    /// A transaction that took a commit hold and ends without reaching COMMIT (rolled back, or
    /// its connection dropped: a client abandoning a slow statement) gives the hold back, so the
    /// next transaction that runs the statement (the client's retry) is the one held.
    private func giveBackCommitHold(of connection: Connection) {
        guard let pattern = connection.state.withLock({ state -> String? in
            defer { state.commitHeldFor = nil }
            return state.commitHeldFor
        }) else { return }
        commitHolds.withLock { holds in
            guard let index = holds.firstIndex(where: { $0.pattern == pattern && $0.taken && !$0.engaged }) else { return }
            holds[index].taken = false
        }
    }

    /// Ends one direction: both sockets are shut down (waking the other direction's read), and
    /// the second direction to end closes them.
    private func hangUp(_ client: Int32, _ server: Int32, _ connection: Connection) {
        giveBackCommitHold(of: connection)
        shutdown(client, Int32(SHUT_RDWR))
        shutdown(server, Int32(SHUT_RDWR))
        let last = connection.state.withLock { state in
            state.directionsEnded += 1
            return state.directionsEnded == 2
        }
        guard last else { return }
        sockets.withLock { $0.subtract([client, server]) }
        close(client)
        close(server)
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}

/// Splits a PostgreSQL protocol byte stream into frames: a type byte and a big-endian length
/// that counts itself. A client's first frame (startup, or an SSL or cancel request) has no
/// type byte.
private struct FrameReader {
    struct Frame {
        /// The type byte, 0 for an untyped startup frame.
        var type: UInt8
        var body: ArraySlice<UInt8>
        /// The frame as it was on the wire.
        var bytes: [UInt8]
    }

    private var pending: [UInt8] = []
    private var untyped: Bool

    init(startsUntyped: Bool) { untyped = startsUntyped }

    mutating func append(_ chunk: [UInt8]) -> [Frame] {
        pending += chunk
        var frames: [Frame] = []
        var start = 0
        while true {
            let header = untyped ? 4 : 5
            guard pending.count - start >= header else { break }
            let lengthAt = untyped ? start : start + 1
            let length = pending[lengthAt..<lengthAt + 4].reduce(0) { $0 << 8 | Int($1) }
            let total = (untyped ? 0 : 1) + length
            guard length >= 4, pending.count - start >= total else { break }
            let bytes = Array(pending[start..<start + total])
            let type: UInt8 = untyped ? 0 : bytes[0]
            frames.append(Frame(type: type, body: bytes[header...], bytes: bytes))
            // An SSL or GSS request is answered with one byte, after which the client sends an
            // untyped startup frame again; the tests connect without TLS, so only startup and
            // cancel frames are expected here.
            untyped = false
            start += total
        }
        pending.removeFirst(start)
        return frames
    }
}
