import Synchronization

extension DBOS {
    /// The runtimes launched in this process, for code that runs workflows without holding
    /// a runtime (annotated workflows called outside any workflow).
    static let launchedRuntimes = LaunchedRuntimes()

    /// The single launched runtime of this process. Throws when there is none, or several.
    public static func launchedRuntime() throws -> DBOS {
        let runtimes = launchedRuntimes.all
        guard let first = runtimes.first else { throw DBOSError.notLaunched(operation: "running a workflow outside any workflow") }
        guard runtimes.count == 1 else {
            throw DBOSError.registrationError("\(runtimes.count) DBOS runtimes are launched in this process: call the workflow through a specific runtime")
        }
        return first
    }
}

/// A process-wide list of launched runtimes.
final class LaunchedRuntimes: Sendable {
    private let runtimes = Mutex<[ObjectIdentifier: DBOS]>([:])
    func add(_ runtime: DBOS) { runtimes.withLock { $0[ObjectIdentifier(runtime)] = runtime } }
    func remove(_ runtime: DBOS) { _ = runtimes.withLock { $0.removeValue(forKey: ObjectIdentifier(runtime)) } }
    var all: [DBOS] { runtimes.withLock { Array($0.values) } }
}
