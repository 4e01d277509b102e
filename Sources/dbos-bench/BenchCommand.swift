import ArgumentParser
import DBOS
import Foundation
import Logging
import PostgresNIO

/// `dbos-bench`: workflow throughput and latency against the raw commit rate of the same database.
///
/// Run in release mode: `swift run -c release dbos-bench [--database-url URL] [--workflows N] [--json]`.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbos-bench",
        abstract: "Benchmark DBOS workflows, messages and queues on SQLite or PostgreSQL.",
        discussion: """
            Without --database-url the benchmark uses a new SQLite file in a temporary folder. \
            A postgresql:// URL is used as given (the database is created if missing); the \
            scratch table bench_baseline is dropped at the end.

            Workloads: sequential and concurrent (3-step workflows against single-row INSERT \
            commits), send-recv and send-recv-cross-process (send-to-recv latency to a waiting \
            workflow, and one workflow's receive rate; the cross-process sender is a child \
            process), queue-1-worker and queue-3-workers (N enqueued 3-step workflows drained \
            by 1 or 3 worker processes), waiting-agents (what workflows parked in recv cost in \
            memory and idle database load, and their send-to-next-step latency) and large-history \
            (concurrent and queue rates on the empty database, then after --history finished \
            workflows are bulk-inserted); these two run only when named.
            """)

    @Option(name: .customLong("database-url"), help: "System database URL (postgresql://... or a SQLite path). Default: a temporary SQLite file.")
    var databaseURL: String?

    @Option(help: "Comma-separated workloads to run, in this order: \(Workload.allCases.map(\.rawValue).joined(separator: ",")). Default: all.")
    var workloads: String?

    @Option(help: "Workflows (or messages) per workload: overrides the per-workload counts below.")
    var workflows: Int?

    @Option(help: "Workflows in the sequential workload.")
    var sequentialWorkflows = 500

    @Option(help: "Workflows in the concurrent workload.")
    var concurrentWorkflows = 2000

    @Option(help: "Workflows (and baseline inserts) in flight in the concurrent workload.")
    var concurrency = 64

    @Option(help: "PostgreSQL pool size, for the DBOS runtimes and the baseline client.")
    var poolSize = 64

    @Option(help: "Untimed warm-up operations before each measurement, run at the measurement's concurrency.")
    var warmup = 64

    @Option(help: "Measured messages in the send-recv workloads (and messages in their burst).")
    var messages = 500

    @Option(help: "Untimed messages before the measured ones in the send-recv workloads.")
    var messageWarmup = 10

    @Option(help: "Milliseconds between the receiver announcing its recv and the send, so the recv is already waiting.")
    var settleMs = 50

    @Option(help: "Workflows enqueued in the queue workloads.")
    var queueWorkflows = 1000

    @Option(help: "Worker concurrency of the benchmark queue (per worker process); 64 is the library's default for a queue that sets none.")
    var workerConcurrency = 64

    @Option(help: "Polling interval of the benchmark queue, in milliseconds.")
    var queuePollingMs = 100

    @Option(help: "Enqueues in flight while filling the queue.")
    var enqueueConcurrency = 64

    @Option(help: "Workflows waiting in recv in the waiting-agents workload.")
    var waiters = 10_000

    @Option(help: "Seconds the waiting-agents workload measures the idle database load for.")
    var idleSeconds = 30

    @Option(help: "Sends in flight when the waiting-agents workload wakes its workflows.")
    var sendConcurrency = 1

    @Flag(help: "In the waiting-agents workload, send from the waiting workflows' own runtime instead of a separate DBOSClient.")
    var sendFromRuntime = false

    @Option(help: "Finished workflows the large-history workload inserts between its two measurements.")
    var history = 1_000_000

    @Flag(help: "Print one JSON object per workload and line.")
    var json = false

    @Option(name: .customLong("compare-python"),
            help: "A Python with dbos==3.4.0 (e.g. .venv-dbos/bin/python): runs DBOS Python on the sequential, concurrent, queue-1-worker and queue-3-workers workloads in this run, against a fresh database on the same server, and reports ratio_to_dbos_python.")
    var comparePython: String?

    @Option(help: "The DBOS Python benchmark script that --compare-python runs.")
    var pythonBenchScript = "scripts/bench/dbos_python_bench.py"

    // Child-process roles (the cross-process sender and the queue workers).
    @Option(help: .hidden) var role: String?
    @Option(help: .hidden) var queueName: String?
    @Option(help: .hidden) var executorId: String?
    @Option(help: .hidden) var appVersion: String?

    func validate() throws {
        for (name, value) in [("--workflows", workflows ?? 1), ("--sequential-workflows", sequentialWorkflows),
                              ("--concurrent-workflows", concurrentWorkflows), ("--concurrency", concurrency),
                              ("--pool-size", poolSize), ("--messages", messages), ("--queue-workflows", queueWorkflows),
                              ("--worker-concurrency", workerConcurrency), ("--queue-polling-ms", queuePollingMs),
                              ("--enqueue-concurrency", enqueueConcurrency), ("--waiters", waiters), ("--idle-seconds", idleSeconds),
                              ("--send-concurrency", sendConcurrency), ("--history", history)] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        for (name, value) in [("--warmup", warmup), ("--message-warmup", messageWarmup), ("--settle-ms", settleMs)] where value < 0 {
            throw ValidationError("\(name) must not be negative")
        }
        _ = try selectedWorkloads()
        if let comparePython {
            try PythonComparison(python: comparePython, script: pythonBenchScript).validate()
        }
    }

    func run() async throws {
        // Log lines (errors only) go to standard error: standard output carries the report,
        // and in a child role the protocol lines.
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        do {
            if let role {
                try await runChild(role: role)
            } else {
                try await benchmark()
            }
        } catch let error as DBOSError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        } catch let error as BenchFailure {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    enum Workload: String, CaseIterable {
        case sequential
        case concurrent
        case sendRecv = "send-recv"
        case sendRecvCrossProcess = "send-recv-cross-process"
        case queue1Worker = "queue-1-worker"
        case queue3Workers = "queue-3-workers"
        case waitingAgents = "waiting-agents"
        case largeHistory = "large-history"

        /// What runs when --workloads names nothing.
        static let defaults: [Workload] = [.sequential, .concurrent, .sendRecv, .sendRecvCrossProcess, .queue1Worker, .queue3Workers]
    }

    func selectedWorkloads() throws -> [Workload] {
        guard let workloads else { return Workload.defaults }
        var selected: [Workload] = []
        for name in workloads.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let workload = Workload(rawValue: name) else {
                throw ValidationError("unknown workload '\(name)'; known: \(Workload.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !selected.contains(workload) { selected.append(workload) }
        }
        guard !selected.isEmpty else { throw ValidationError("--workloads names no workload") }
        return selected
    }

    private func benchmark() async throws {
        let target = try BenchTarget(databaseURL: databaseURL)
        defer { target.cleanUp() }
        let selected = try selectedWorkloads()
        if !json { print("dbos-bench on \(target.backend): \(target.description)") }
        var results: [any BenchReport] = []
        func report(_ new: [any BenchReport]) {
            results += new
            // Compared results are printed once the Python side has run.
            if json && comparePython == nil { for result in new { print(Report.jsonLine(result)) } }
        }

        let classic = selected.compactMap { workload -> WorkloadSpec? in
            switch workload {
            case .sequential: WorkloadSpec(name: workload.rawValue, workflows: workflows ?? sequentialWorkflows, concurrency: 1)
            case .concurrent: WorkloadSpec(name: workload.rawValue, workflows: workflows ?? concurrentWorkflows, concurrency: concurrency)
            default: nil
            }
        }
        if !classic.isEmpty { report(try await baselined(classic, target: target)) }

        for workload in selected {
            switch workload {
            case .sequential, .concurrent:
                continue
            case .sendRecv, .sendRecvCrossProcess:
                report([try await messaging(workload, target: target)])
            case .queue1Worker, .queue3Workers:
                let settings = queueSettings(workers: workload == .queue1Worker ? 1 : 3)
                report([try await QueueBench.measure(workload: workload.rawValue, target: target, settings: settings, logger: Self.logger)])
            case .waitingAgents:
                let settings = WaitingAgentsBench.Settings(
                    waiters: workflows ?? waiters, idle: .seconds(idleSeconds), sendConcurrency: sendConcurrency,
                    sendFromRuntime: sendFromRuntime, poolSize: poolSize)
                report([try await WaitingAgentsBench.measure(target: target, settings: settings, logger: Self.logger)])
            case .largeHistory:
                let settings = LargeHistoryBench.Settings(
                    history: history,
                    concurrent: WorkloadSpec(name: "concurrent", workflows: workflows ?? concurrentWorkflows, concurrency: concurrency),
                    warmup: warmup, queue: queueSettings(workers: 1), poolSize: poolSize)
                report([try await LargeHistoryBench.measure(target: target, settings: settings, logger: Self.logger)])
            }
        }
        guard let comparePython else {
            if !json { print(Report.text(results)) }
            return
        }
        let python = try await PythonComparison(python: comparePython, script: pythonBenchScript).measure(
            workloads: selected.map(\.rawValue), url: target.url,
            counts: ["sequential-workflows": workflows ?? sequentialWorkflows, "concurrent-workflows": workflows ?? concurrentWorkflows,
                     "concurrency": concurrency, "warmup": warmup, "queue-workflows": workflows ?? queueWorkflows,
                     "worker-concurrency": workerConcurrency])
        let compared = results.map { ComparedReport(base: $0, pythonPerSecond: python[$0.workload]) }
        if json {
            for result in compared { print(Report.jsonLine(result)) }
        } else {
            print(Report.text(results) + "\n\n" + Report.pythonTable(compared))
        }
    }

    private func queueSettings(workers: Int) -> QueueSettings {
        QueueSettings(
            workflows: workflows ?? queueWorkflows, workers: workers, workerConcurrency: workerConcurrency,
            pollingInterval: .milliseconds(queuePollingMs), enqueueConcurrency: enqueueConcurrency, poolSize: poolSize,
            timeout: .seconds(max(120, (workflows ?? queueWorkflows) / 5)))
    }

    /// The sequential and concurrent workloads, then the baseline at the same concurrencies.
    private func baselined(_ workloads: [WorkloadSpec], target: BenchTarget) async throws -> [BenchResult] {
        let dbos = try await WorkflowBench.launch(url: target.url, poolSize: poolSize, logger: Self.logger)
        var measured: [(Measurement, Double?)] = []
        do {
            for spec in workloads {
                measured.append((try await WorkflowBench.measure(spec, on: dbos, warmup: warmup), loadAverage()))
            }
        } catch {
            await dbos.shutdown()
            throw error
        }
        await dbos.shutdown()

        let baseline = try await target.openBaseline(poolSize: poolSize, logger: Self.logger)
        var results: [BenchResult] = []
        do {
            for (spec, (workflowRun, load)) in zip(workloads, measured) {
                let commits = spec.workflows * BenchResult.commitsPerWorkflow
                let inserts = try await Measurement.run(count: commits, concurrency: spec.concurrency, warmup: warmup) { _ in
                    try await baseline.insert()
                }
                results.append(BenchResult(spec: spec, backend: target.backend, workflows: workflowRun, baseline: inserts, load: load))
            }
        } catch {
            await baseline.close()
            throw error
        }
        await baseline.close()
        return results
    }

    private func messaging(_ workload: Workload, target: BenchTarget) async throws -> MessagingResult {
        let dbos = try await WorkflowBench.launch(url: target.url, poolSize: poolSize, logger: Self.logger)
        do {
            let sender: any MessageSender = workload == .sendRecv
                ? InProcessSender(dbos: dbos)
                : try await ChildSender.start(databaseURL: target.url, backend: target.backend)
            let result: MessagingResult
            do {
                result = try await MessagingBench.measure(
                    workload: workload.rawValue, dbos: dbos, sender: sender, messages: workflows ?? messages,
                    warmup: messageWarmup, settle: .milliseconds(settleMs))
            } catch {
                try? await sender.close()
                throw error
            }
            try await sender.close()
            await dbos.shutdown()
            return result
        } catch {
            await dbos.shutdown()
            throw error
        }
    }

    /// The hidden roles: `sender` (send-recv-cross-process), `queue-worker`, and
    /// `fill-history` (migrates the database and bulk-inserts `--history` finished workflows as
    /// large-history does, then exits; scripts/bench/console-pages.sh times the console on it).
    private func runChild(role: String) async throws {
        guard let databaseURL else { throw BenchFailure("--role needs --database-url") }
        switch role {
        case "sender":
            try await ChildSender.serve(databaseURL: databaseURL, logger: Self.logger)
        case "queue-worker":
            guard let queueName, let executorId, let appVersion else {
                throw BenchFailure("--role queue-worker needs --queue-name, --executor-id and --app-version")
            }
            try await QueueBench.serve(
                databaseURL: databaseURL, queueName: queueName, executorID: executorId, applicationVersion: appVersion,
                workerConcurrency: workerConcurrency, pollingInterval: .milliseconds(queuePollingMs), poolSize: poolSize,
                logger: Self.logger)
        case "fill-history":
            let target = try BenchTarget(databaseURL: databaseURL)
            let client = try await DBOSClient(databaseURL: databaseURL)
            _ = try await client.migrate()
            await client.close()
            let started = ContinuousClock.now
            try await HistoryFiller.fill(target, workflows: history, logger: Self.logger)
            print("filled \(history) workflows in \(String(format: "%.1f", (ContinuousClock.now - started).seconds)) s")
        default:
            throw BenchFailure("unknown role '\(role)'")
        }
    }

    /// Errors only, so the benchmark's output stays readable (PostgresNIO warns when a pool is
    /// queried before its `run()` task has started, which both the runtime and the baseline do).
    static var logger: Logger {
        var logger = Logger(label: "dbos.bench")
        logger.logLevel = .error
        return logger
    }
}

/// Where the benchmark runs: the backend, its URL, and the temporary folder to remove.
struct BenchTarget {
    let url: String
    let location: DatabaseURL
    private let temporaryFolder: URL?

    init(databaseURL: String?) throws {
        if let databaseURL {
            url = databaseURL
            temporaryFolder = nil
        } else {
            let folder = FileManager.default.temporaryDirectory
                .appendingPathComponent("dbos-bench-\(UUID().uuidString.prefix(8).lowercased())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            url = folder.appendingPathComponent("bench.sqlite").path
            temporaryFolder = folder
        }
        location = try DatabaseURL(parsing: url)
    }

    /// `"sqlite"` or `"postgres"`.
    var backend: String {
        if case .postgres = location { return "postgres" }
        return "sqlite"
    }

    var description: String { location.description }

    func openBaseline(poolSize: Int, logger: Logger) async throws -> any BaselineStore {
        switch location {
        case .postgres(let postgres):
            return try await PostgresBaseline.open(postgres, poolSize: poolSize, logger: logger)
        case .sqlite(let path):
            return try await SQLiteBaseline.open(path: path, logger: logger)
        }
    }

    func cleanUp() {
        if let temporaryFolder { try? FileManager.default.removeItem(at: temporaryFolder) }
    }
}
