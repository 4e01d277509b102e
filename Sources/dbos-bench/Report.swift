import Foundation

/// One workload's numbers next to its baseline.
struct BenchResult {
    /// Commits one workflow makes: its start, its 3 steps and its completion.
    static let commitsPerWorkflow = 5

    let workload: String
    let backend: String
    let workflows: Int
    let concurrency: Int
    let seconds: Double
    let workflowsPerSecond: Double
    let p50Milliseconds: Double
    let p99Milliseconds: Double
    let commitsPerWorkflow: Int
    let commitsPerSecond: Double
    let baselineCommits: Int
    let baselineCommitsPerSecond: Double
    let baselineP50Milliseconds: Double
    let baselineP99Milliseconds: Double
    let ratioToBaseline: Double

    init(spec: WorkloadSpec, backend: String, workflows run: Measurement, baseline: Measurement) {
        workload = spec.name
        self.backend = backend
        workflows = run.count
        concurrency = spec.concurrency
        seconds = Self.rounded(run.elapsed.seconds, 3)
        workflowsPerSecond = Self.rounded(run.perSecond, 1)
        p50Milliseconds = Self.rounded(run.p50Milliseconds, 3)
        p99Milliseconds = Self.rounded(run.p99Milliseconds, 3)
        commitsPerWorkflow = Self.commitsPerWorkflow
        let commits = run.perSecond * Double(Self.commitsPerWorkflow)
        commitsPerSecond = Self.rounded(commits, 1)
        baselineCommits = baseline.count
        baselineCommitsPerSecond = Self.rounded(baseline.perSecond, 1)
        baselineP50Milliseconds = Self.rounded(baseline.p50Milliseconds, 3)
        baselineP99Milliseconds = Self.rounded(baseline.p99Milliseconds, 3)
        ratioToBaseline = Self.rounded(commits / baseline.perSecond, 3)
    }

    private static func rounded(_ value: Double, _ places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }
}

enum Report {
    /// One compact JSON object, keys in a fixed order (workload and backend first).
    static func jsonLine(_ result: BenchResult) -> String {
        let fields: [(String, String)] = [
            ("workload", "\"\(result.workload)\""),
            ("backend", "\"\(result.backend)\""),
            ("workflows", String(result.workflows)),
            ("concurrency", String(result.concurrency)),
            ("seconds", String(result.seconds)),
            ("workflows_per_s", String(result.workflowsPerSecond)),
            ("p50_ms", String(result.p50Milliseconds)),
            ("p99_ms", String(result.p99Milliseconds)),
            ("commits_per_workflow", String(result.commitsPerWorkflow)),
            ("commits_per_s", String(result.commitsPerSecond)),
            ("baseline_commits", String(result.baselineCommits)),
            ("baseline_commits_per_s", String(result.baselineCommitsPerSecond)),
            ("baseline_p50_ms", String(result.baselineP50Milliseconds)),
            ("baseline_p99_ms", String(result.baselineP99Milliseconds)),
            ("ratio_to_baseline", String(result.ratioToBaseline)),
        ]
        return "{" + fields.map { "\"\($0)\":\($1)" }.joined(separator: ",") + "}"
    }

    static func table(_ results: [BenchResult]) -> String {
        let header = ["workload", "workflows", "in flight", "wf/s", "p50 ms", "p99 ms", "commits/s", "baseline commits/s", "ratio"]
        let rows = results.map { result in
            [result.workload, String(result.workflows), String(result.concurrency),
             String(format: "%.1f", result.workflowsPerSecond), String(format: "%.2f", result.p50Milliseconds),
             String(format: "%.2f", result.p99Milliseconds), String(format: "%.0f", result.commitsPerSecond),
             String(format: "%.0f", result.baselineCommitsPerSecond), String(format: "%.2f", result.ratioToBaseline)]
        }
        var widths = header.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                // Text columns left-aligned, numbers right-aligned.
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
