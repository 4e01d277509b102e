import DBOS
import Foundation
import UnixSignals

/// `serve`: registers the interop workflows and queue, launches, prints `READY`, and runs
/// queued work until SIGTERM/SIGINT or `--exit-after-seconds` (a safety net for orphans).
func serve(_ options: Options) async throws {
    let dbos = try DBOS(config: DBOSConfig(name: "interop-worker", systemDatabaseURL: options.databaseURL))
    try dbos.register(InteropWorkflows.all(counter: CounterFile(path: options.counterFile), patchedOrders: options.patchedOrders))
    try dbos.register(queues: Queue(options.queue, pollingInterval: .milliseconds(200)))
    let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
    try await dbos.launch()
    say("READY")
    await withTaskGroup(of: String.self) { group in
        group.addTask {
            for await signal in signals { return "\(signal)" }
            return "signals ended"
        }
        group.addTask {
            try? await Task.sleep(for: .seconds(options.exitAfterSeconds))
            return "--exit-after-seconds \(options.exitAfterSeconds)"
        }
        let reason = await group.next() ?? "?"
        group.cancelAll()
        say("STOPPING (\(reason))")
    }
    await dbos.shutdown()
}
