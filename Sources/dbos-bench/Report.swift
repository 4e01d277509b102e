import Foundation

/// A JSON value of one report field.
enum JSONField {
    case string(String)
    case int(Int)
    case double(Double)
    case ints([Int])
    case null

    var json: String {
        switch self {
        case .string(let text):
            var escaped = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case "\n": escaped += "\\n"
                default:
                    if scalar.value < 0x20 {
                        escaped += String(format: "\\u%04x", scalar.value)
                    } else {
                        escaped.unicodeScalars.append(scalar)
                    }
                }
            }
            return "\"\(escaped)\""
        case .int(let value): return String(value)
        case .double(let value): return value.isFinite ? String(value) : "null"
        case .ints(let values): return "[" + values.map(String.init).joined(separator: ",") + "]"
        case .null: return "null"
        }
    }

    /// For the text report.
    var text: String {
        switch self {
        case .string(let text): return text
        case .double(let value): return String(format: "%.2f", value)
        default: return json
        }
    }
}

/// One workload's result, printed as one JSON object (keys in a fixed order, `workload` and
/// `backend` first) or, without `--json`, as text.
protocol BenchReport {
    var workload: String { get }
    var fields: [(String, JSONField)] { get }
}

/// Nearest-rank percentile of sorted microsecond latencies, in milliseconds (0 when empty).
func millisecondsPercentile(ofMicroseconds sorted: [Int], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((fraction * Double(sorted.count)).rounded(.up))
    return Double(sorted[min(max(rank, 1), sorted.count) - 1]) / 1000
}

/// Rounds to `places` decimals, for stable report values.
func rounded(_ value: Double, _ places: Int) -> Double {
    let scale = pow(10, Double(places))
    return (value * scale).rounded() / scale
}

/// The 1-minute load average (Linux `/proc/loadavg`), so numbers from a busy machine say so.
func loadAverage() -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
          let first = text.split(separator: " ").first else { return nil }
    return Double(first)
}

/// One workload's numbers next to its baseline.
struct BenchResult: BenchReport {
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
    let load: Double?

    init(spec: WorkloadSpec, backend: String, workflows run: Measurement, baseline: Measurement, load: Double?) {
        workload = spec.name
        self.backend = backend
        workflows = run.count
        concurrency = spec.concurrency
        seconds = rounded(run.elapsed.seconds, 3)
        workflowsPerSecond = rounded(run.perSecond, 1)
        p50Milliseconds = rounded(run.p50Milliseconds, 3)
        p99Milliseconds = rounded(run.p99Milliseconds, 3)
        commitsPerWorkflow = Self.commitsPerWorkflow
        let commits = run.perSecond * Double(Self.commitsPerWorkflow)
        commitsPerSecond = rounded(commits, 1)
        baselineCommits = baseline.count
        baselineCommitsPerSecond = rounded(baseline.perSecond, 1)
        baselineP50Milliseconds = rounded(baseline.p50Milliseconds, 3)
        baselineP99Milliseconds = rounded(baseline.p99Milliseconds, 3)
        ratioToBaseline = rounded(commits / baseline.perSecond, 3)
        self.load = load
    }

    var fields: [(String, JSONField)] {
        [
            ("workload", .string(workload)),
            ("backend", .string(backend)),
            ("workflows", .int(workflows)),
            ("concurrency", .int(concurrency)),
            ("seconds", .double(seconds)),
            ("workflows_per_s", .double(workflowsPerSecond)),
            ("p50_ms", .double(p50Milliseconds)),
            ("p99_ms", .double(p99Milliseconds)),
            ("commits_per_workflow", .int(commitsPerWorkflow)),
            ("commits_per_s", .double(commitsPerSecond)),
            ("baseline_commits", .int(baselineCommits)),
            ("baseline_commits_per_s", .double(baselineCommitsPerSecond)),
            ("baseline_p50_ms", .double(baselineP50Milliseconds)),
            ("baseline_p99_ms", .double(baselineP99Milliseconds)),
            ("ratio_to_baseline", .double(ratioToBaseline)),
            ("load_1m", load.map(JSONField.double) ?? .null),
        ]
    }
}

enum Report {
    /// One compact JSON object, keys in the report's order.
    static func jsonLine(_ result: any BenchReport) -> String {
        "{" + result.fields.map { "\"\($0.0)\":\($0.1.json)" }.joined(separator: ",") + "}"
    }

    /// The text form: a table for the workflow-vs-baseline workloads, `key: value` lines for the others.
    static func text(_ results: [any BenchReport]) -> String {
        var blocks: [String] = []
        let baselined = results.compactMap { $0 as? BenchResult }
        if !baselined.isEmpty { blocks.append(table(baselined)) }
        for result in results where !(result is BenchResult) {
            let body = result.fields.dropFirst().map { "  \($0.0): \($0.1.text)" }.joined(separator: "\n")
            blocks.append("\(result.workload)\n\(body)")
        }
        return blocks.joined(separator: "\n\n")
    }

    /// Each Swift workload's rate next to DBOS Python's on the same workload in the same run.
    static func pythonTable(_ results: [ComparedReport]) -> String {
        var lines = ["DBOS Python 3.4.0, same server, same run:", "workload                 swift wf/s  python wf/s  x python"]
        for result in results {
            let fields = Dictionary(result.fields.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
            let swift = fields["workflows_per_s"]?.text ?? "-"
            let python = fields["dbos_python_per_s"].map { $0.text == "null" ? "-" : $0.text } ?? "-"
            let ratio = fields["ratio_to_dbos_python"].map { $0.text == "null" ? "-" : $0.text + "x" } ?? "-"
            lines.append(result.workload.padding(toLength: 24, withPad: " ", startingAt: 0)
                         + " " + String(repeating: " ", count: max(0, 10 - swift.count)) + swift
                         + "  " + String(repeating: " ", count: max(0, 11 - python.count)) + python
                         + "  " + String(repeating: " ", count: max(0, 8 - ratio.count)) + ratio)
        }
        return lines.joined(separator: "\n")
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
