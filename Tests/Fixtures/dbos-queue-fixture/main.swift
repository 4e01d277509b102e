// A queue worker process for the multi-process queue tests (drain, SIGKILL mid-drain, takeover).
//
//   dbos-queue-fixture --database-url URL --executor-id ID --counter-file PATH
//                      [--worker-concurrency N] [--concurrency N] [--step-ms N]
//                      [--lease-ms N] [--rate-limit N/MS] [--probe]
//
// Serves queue "drain" (priorities on) with workflow `drainWork(label) -> LABEL`: one step
// that appends the label to the counter file (one file per process), sleeps --step-ms, and
// returns the label upper-cased. --probe (PostgreSQL) also counts running step bodies in
// table `drain_probe` (rows 'global' and the executor ID: current and peak). --lease-ms turns
// on the takeover mode; --rate-limit N/MS limits the queue to N starts per MS milliseconds. Also serves `poison(label)` (at most 2 recovery attempts): its step
// appends "poison:label" to the counter file and then SIGKILLs its own process, as a
// workflow that crashes every worker running it would. Prints READY once launched, then
// serves until killed.
import DBOS
import Foundation
import PostgresNIO

struct Options {
    var databaseURL = ""
    var executorID = "worker"
    var counterFile = ""
    var workerConcurrency: Int?
    var concurrency: Int?
    var stepMilliseconds = 10
    var leaseMilliseconds: Int?
    var rateLimit: RateLimit?
    var probe = false

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            if flag == "--probe" { probe = true; continue }
            let value = iterator.next() ?? ""
            switch flag {
            case "--database-url": databaseURL = value
            case "--executor-id": executorID = value
            case "--counter-file": counterFile = value
            case "--worker-concurrency": workerConcurrency = Int(value)
            case "--concurrency": concurrency = Int(value)
            case "--step-ms": stepMilliseconds = Int(value) ?? 10
            case "--lease-ms": leaseMilliseconds = Int(value)
            case "--rate-limit":
                let parts = value.split(separator: "/").compactMap { Int($0) }
                if parts.count == 2 { rateLimit = RateLimit(limit: parts[0], period: .milliseconds(parts[1])) }
            default:
                FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8))
                exit(2)
            }
        }
    }
}

let options = Options(CommandLine.arguments)

/// Appends one line to this process's counter file (opened in append mode).
func appendLine(_ line: String) {
    guard let file = fopen(options.counterFile, "a") else { return }
    fputs(line + "\n", file)
    fflush(file)
    fsync(fileno(file))
    fclose(file)
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Counts running step bodies in the database, across all worker processes.
struct ConcurrencyCounter: Sendable {
    let client: PostgresClient

    init(url: String) throws {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw FixtureError("--probe needs a postgresql:// URL, got \(url)")
        }
        let database = String(components.path.dropFirst())
        client = PostgresClient(configuration: .init(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database.isEmpty ? nil : database, tls: .disable))
    }

    func enter(_ executor: String) async throws {
        try await client.query("""
            INSERT INTO drain_probe (name, current, peak) VALUES ('global', 1, 1), (\(executor), 1, 1)
            ON CONFLICT (name) DO UPDATE SET current = drain_probe.current + 1,
                peak = GREATEST(drain_probe.peak, drain_probe.current + 1)
            """)
    }

    func leave(_ executor: String) async throws {
        try await client.query("UPDATE drain_probe SET current = current - 1 WHERE name IN ('global', \(executor))")
    }
}

let counter = options.probe ? try ConcurrencyCounter(url: options.databaseURL) : nil

let drainWork = Workflow("drainWork") { (label: String) async throws -> String in
    try await DBOS.step("body") { () async throws -> String in
        try await counter?.enter(options.executorID)
        do {
            appendLine(label)
            try await Task.sleep(for: .milliseconds(options.stepMilliseconds))
        } catch {
            try await counter?.leave(options.executorID)
            throw error
        }
        try await counter?.leave(options.executorID)
        return label.uppercased()
    }
}

let poison = Workflow("poison", maxRecoveryAttempts: 2) { (label: String) async throws -> String in
    try await DBOS.step("crash the worker") { () async throws -> String in
        appendLine("poison:\(label)")
        kill(getpid(), SIGKILL)
        return label
    }
}

do {
    if let counter { Task { await counter.client.run() } }
    var config = DBOSConfig(name: "queue-fixture", systemDatabaseURL: options.databaseURL, executorID: options.executorID,
                            applicationVersion: "drain-v1")
    config.executorLease = options.leaseMilliseconds.map { .milliseconds($0) }
    config.logger.logLevel = .warning
    let dbos = try DBOS(config: config)
    try dbos.register(drainWork)
    try dbos.register(poison)
    try dbos.register(queues: Queue("drain", workerConcurrency: options.workerConcurrency, concurrency: options.concurrency,
                                    rateLimit: options.rateLimit, priorityEnabled: true, pollingInterval: .milliseconds(100)))
    try await dbos.launch()
    print("READY")
    fflush(nil)
    while true { try await Task.sleep(for: .seconds(3600)) }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
