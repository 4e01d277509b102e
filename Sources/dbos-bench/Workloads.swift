import DBOS
import Foundation
import PostgresNIO

/// One workload: how many workflows, how many at a time.
struct WorkloadSpec {
    let name: String
    let workflows: Int
    let concurrency: Int
}

/// The benchmarked workflow and how the workloads drive it.
enum WorkflowBench {
    /// Three no-op checkpointed steps: 5 commits per workflow (start, 3 steps, completion).
    static let threeSteps = Workflow("dbos_bench_three_steps") { (index: Int) async throws -> Int in
        let first = try await DBOS.step("s1") { 1 }
        let second = try await DBOS.step("s2") { 2 }
        let third = try await DBOS.step("s3") { 3 }
        return index + first + second + third
    }

    /// A launched runtime with the bench workflows registered, under a name unique to this run.
    static func launch(url: String, poolSize: Int, logger: Logger) async throws -> DBOS {
        let config = DBOSConfig(
            name: "dbos-bench-\(UUID().uuidString.prefix(8).lowercased())", systemDatabaseURL: url,
            maxPostgresConnections: poolSize, logger: logger)
        let dbos = try DBOS(config: config)
        do {
            try dbos.register(threeSteps, MessagingBench.recvLoop, WaitingAgentsBench.agent)
            try await dbos.launch()
        } catch {
            await dbos.shutdown()
            throw error
        }
        return dbos
    }

    /// Runs `spec.workflows` workflows through `dbos.run`, `spec.concurrency` at a time.
    static func measure(_ spec: WorkloadSpec, on dbos: DBOS, warmup: Int) async throws -> Measurement {
        try await Measurement.run(count: spec.workflows, concurrency: spec.concurrency, warmup: warmup) { index in
            let output = try await dbos.run(threeSteps, index)
            guard output == index + 6 else {
                throw BenchFailure("workflow \(index) returned \(output), expected \(index + 6)")
            }
        }
    }
}

/// The elapsed time and the per-operation latencies of one measured run.
struct Measurement {
    let count: Int
    let elapsed: Duration
    /// Every operation's latency, sorted ascending.
    let latencies: [Duration]

    var perSecond: Double { Double(count) / elapsed.seconds }
    var p50Milliseconds: Double { percentile(0.50) }
    var p99Milliseconds: Double { percentile(0.99) }

    /// Nearest-rank percentile, in milliseconds.
    func percentile(_ fraction: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let rank = Int((fraction * Double(latencies.count)).rounded(.up))
        return latencies[min(max(rank, 1), latencies.count) - 1].seconds * 1000
    }

    /// Runs `operation(0..<count)` with `concurrency` in flight (a task group that starts the
    /// next one as each finishes), after `warmup` untimed operations at the same concurrency
    /// (so connection pools are full before the clock starts). Warm-up indexes are negative.
    static func run(count: Int, concurrency: Int, warmup: Int,
                    _ operation: @escaping @Sendable (Int) async throws -> Void) async throws -> Measurement {
        _ = try await latencies(of: warmup, concurrency: concurrency) { index in try await operation(-1 - index) }
        let clock = ContinuousClock()
        let started = clock.now
        let measured = try await latencies(of: count, concurrency: concurrency, operation)
        return Measurement(count: count, elapsed: started.duration(to: clock.now), latencies: measured.sorted())
    }

    private static func latencies(of count: Int, concurrency: Int,
                                  _ operation: @escaping @Sendable (Int) async throws -> Void) async throws -> [Duration] {
        let clock = ContinuousClock()
        var latencies: [Duration] = []
        latencies.reserveCapacity(count)
        if concurrency <= 1 {
            for index in 0..<count {
                let begin = clock.now
                try await operation(index)
                latencies.append(begin.duration(to: clock.now))
            }
            return latencies
        }
        try await withThrowingTaskGroup(of: Duration.self) { group in
            var next = 0
            while next < min(concurrency, count) {
                let index = next
                group.addTask { let begin = clock.now; try await operation(index); return begin.duration(to: clock.now) }
                next += 1
            }
            while let latency = try await group.next() {
                latencies.append(latency)
                if next < count {
                    let index = next
                    group.addTask { let begin = clock.now; try await operation(index); return begin.duration(to: clock.now) }
                    next += 1
                }
            }
        }
        return latencies
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// A benchmark-level failure (not a DBOS error), reported as one line.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
