import ArgumentParser
import Foundation

/// DBOS Transact Python 3.4.0 on the same workloads, server and counts, run by
/// `scripts/bench/dbos_python_bench.py` in the same benchmark run, so each Swift figure gets a
/// ratio measured next to it (never a figure from another day).
struct PythonComparison {
    /// The workloads the Python script runs.
    static let workloads: Set<String> = ["sequential", "concurrent", "queue-1-worker", "queue-3-workers"]

    /// A Python interpreter with `dbos==3.4.0` installed (`scripts/test.sh` makes `.venv-dbos`).
    let python: String
    /// The Python benchmark script.
    let script: String

    /// Checks that the interpreter and the script exist (before any workload runs).
    func validate() throws {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ValidationError("--compare-python: no Python interpreter at \(python) (run scripts/test.sh once to create .venv-dbos)")
        }
        guard FileManager.default.fileExists(atPath: script) else {
            throw ValidationError("--compare-python: no benchmark script at \(script) (set --python-bench-script)")
        }
    }

    /// Runs the Python side of `workloads` against a fresh database next to `url` (a sibling
    /// PostgreSQL database, or a sibling SQLite file); returns workflows per second by workload.
    func measure(workloads: [String], url: String, counts: [String: Int]) async throws -> [String: Double] {
        let selected = workloads.filter(Self.workloads.contains)
        guard !selected.isEmpty else { return [:] }
        try validate()
        var arguments = [script, "--database-url", Self.siblingURL(of: url), "--workloads", selected.joined(separator: ",")]
        for (name, value) in counts.sorted(by: { $0.key < $1.key }) { arguments += ["--\(name)", String(value)] }
        let output = try await Self.run(python, arguments)
        var rates: [String: Double] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("{") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let workload = object["workload"] as? String,
                  let rate = (object["workflows_per_s"] as? NSNumber)?.doubleValue else { continue }
            rates[workload] = rate
        }
        let missing = selected.filter { rates[$0] == nil }
        guard missing.isEmpty else {
            throw BenchFailure("the DBOS Python benchmark printed no result for \(missing.joined(separator: ", "))")
        }
        return rates
    }

    /// A fresh database beside `url`'s, in DBOS Python's URL form: `<name>_python_<random>` on
    /// the same server, or a file in the same folder.
    static func siblingURL(of url: String) -> String {
        let suffix = "python_\(UUID().uuidString.prefix(8).lowercased())"
        if var components = URLComponents(string: url), let scheme = components.scheme, scheme.hasPrefix("postgres") {
            let name = components.path.dropFirst()
            components.path = "/\(name.isEmpty ? "dbos" : String(name))_\(suffix)"
            return components.string ?? url
        }
        let path = url.hasPrefix("sqlite://") ? String(url.dropFirst("sqlite://".count)) : url
        let folder = ((path as NSString).deletingLastPathComponent as NSString).standardizingPath
        let absolute = folder.hasPrefix("/") ? folder : FileManager.default.currentDirectoryPath + "/" + folder
        // SQLAlchemy's form: three slashes, then the absolute path with its own.
        return "sqlite:///" + (absolute as NSString).appendingPathComponent("bench_\(suffix).sqlite")
    }

    /// Runs a process to its end; returns its standard output, or throws with its standard error.
    private static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read while it runs, so a full pipe cannot block it.
        async let out = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
        async let err = Task.detached { errors.fileHandleForReading.readDataToEndOfFile() }.value
        let (stdout, stderr) = await (out, err)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let tail = String(decoding: stderr.suffix(2000), as: UTF8.self)
            throw BenchFailure("the DBOS Python benchmark exited with \(process.terminationStatus): \(tail)")
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}

/// A Swift result with the DBOS Python figure of the same workload from the same run.
struct ComparedReport: BenchReport {
    let base: any BenchReport
    let pythonPerSecond: Double?

    var workload: String { base.workload }

    var fields: [(String, JSONField)] {
        let swift = base.fields.first { $0.0 == "workflows_per_s" }.flatMap { field -> Double? in
            if case .double(let value) = field.1 { return value }
            return nil
        }
        let ratio = zip(swift, pythonPerSecond).map { rounded($0 / $1, 2) }
        return base.fields + [
            ("dbos_python_per_s", pythonPerSecond.map(JSONField.double) ?? .null),
            ("ratio_to_dbos_python", ratio.map(JSONField.double) ?? .null),
        ]
    }
}

private func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
