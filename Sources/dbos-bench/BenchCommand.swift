import ArgumentParser
import DBOS
import Foundation
import PostgresNIO

/// `dbos-bench`: workflow throughput and latency against the raw commit rate of the same database.
///
/// Run in release mode: `swift run -c release dbos-bench [--database-url URL] [--workflows N] [--json]`.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbos-bench",
        abstract: "Benchmark DBOS workflows (3 no-op steps each) against single-row INSERT commits on the same database.",
        discussion: """
            Without --database-url the benchmark uses a new SQLite file in a temporary folder. \
            A postgresql:// URL is used as given (the database is created if missing); the \
            scratch table bench_baseline is dropped at the end.
            """)

    @Option(name: .customLong("database-url"), help: "System database URL (postgresql://... or a SQLite path). Default: a temporary SQLite file.")
    var databaseURL: String?

    @Option(help: "Workflows per workload (overrides --sequential-workflows and --concurrent-workflows).")
    var workflows: Int?

    @Option(help: "Workflows in the sequential workload.")
    var sequentialWorkflows = 500

    @Option(help: "Workflows in the concurrent workload.")
    var concurrentWorkflows = 2000

    @Option(help: "Workflows (and baseline inserts) in flight in the concurrent workload.")
    var concurrency = 64

    @Option(help: "PostgreSQL pool size, for both the DBOS runtime and the baseline client.")
    var poolSize = 64

    @Option(help: "Untimed warm-up operations before each measurement, run at the measurement's concurrency.")
    var warmup = 64

    @Flag(help: "Print one JSON object per workload and line.")
    var json = false

    func validate() throws {
        for (name, value) in [("--workflows", workflows ?? 1), ("--sequential-workflows", sequentialWorkflows),
                              ("--concurrent-workflows", concurrentWorkflows), ("--concurrency", concurrency),
                              ("--pool-size", poolSize)] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
    }

    func run() async throws {
        do {
            try await benchmark()
        } catch let error as DBOSError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func benchmark() async throws {
        let target = try BenchTarget(databaseURL: databaseURL)
        defer { target.cleanUp() }
        let workloads = [
            WorkloadSpec(name: "sequential", workflows: workflows ?? sequentialWorkflows, concurrency: 1),
            WorkloadSpec(name: "concurrent", workflows: workflows ?? concurrentWorkflows, concurrency: concurrency),
        ]
        if !json { print("dbos-bench on \(target.backend): \(target.description)") }

        let dbos = try await WorkflowBench.launch(url: target.url, poolSize: poolSize, logger: Self.logger)
        var measured: [Measurement] = []
        do {
            for spec in workloads {
                measured.append(try await WorkflowBench.measure(spec, on: dbos, warmup: warmup))
            }
        } catch {
            await dbos.shutdown()
            throw error
        }
        await dbos.shutdown()

        let baseline = try await target.openBaseline(poolSize: poolSize, logger: Self.logger)
        var results: [BenchResult] = []
        do {
            for (spec, workflowRun) in zip(workloads, measured) {
                let commits = spec.workflows * BenchResult.commitsPerWorkflow
                let inserts = try await Measurement.run(count: commits, concurrency: spec.concurrency, warmup: warmup) { _ in
                    try await baseline.insert()
                }
                results.append(BenchResult(spec: spec, backend: target.backend, workflows: workflowRun, baseline: inserts))
            }
        } catch {
            await baseline.close()
            throw error
        }
        await baseline.close()

        if json {
            for result in results { print(Report.jsonLine(result)) }
        } else {
            print(Report.table(results))
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
