import DBOS
import Foundation

/// The chaos workload: what every worker serves and the checker expects.
///
/// `chaosOrder(i)` (on queue `chaos`): eight short steps, a child that receives a message from it and
/// acknowledges it in a step, a durable sleep, an event and a three-value stream. Its output is
/// `"i:10:got m<i>"`. Step bodies and executions write to the ledger, which the checker reads
/// next to the database.
enum ChaosWorkload {
    static let queueName = "chaos"
    static let workerConcurrency = 6
    static let globalConcurrency = 12
    static let steps = 8

    static func expectedOutput(_ index: Int) -> String { "\(index):\((1...steps).reduce(0, +)):got m\(index)" }

    static let queue = Queue(queueName, workerConcurrency: workerConcurrency, concurrency: globalConcurrency,
                             pollingInterval: .milliseconds(100))

    static let child = Workflow("chaosChild") { (index: Int) async throws -> String in
        let message = try await DBOS.receive(String.self, topic: "in", timeout: .seconds(3600)) ?? "nothing"
        return try await DBOS.step("ack") {
            Ledger.shared.append("ack \(index)")
            return "got \(message)"
        }
    }

    static let order = Workflow("chaosOrder") { (index: Int) async throws -> String in
        let execution = UUID().uuidString.prefix(8)
        Ledger.shared.append("begin \(index) \(execution)")
        // However the execution ends (returned, or stopped by a fence, a shutdown or an error
        // and handed back for another execution), it no longer runs orders after this line.
        defer { Ledger.shared.append("end \(index) \(execution)") }
        var total = 0
        for step in 1...steps {
            total += try await DBOS.step("step\(step)") {
                Ledger.shared.append("step \(index) \(step)")
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...15)))
                return step
            }
        }
        let helper = try await DBOS.startWorkflow(child, index)
        try await DBOS.send("m\(index)", to: helper.workflowID, topic: "in")
        let reply = try await helper.result()
        try await DBOS.sleep(for: .milliseconds(Int.random(in: 50...300)))
        try await DBOS.setEvent("progress", to: "done")
        for value in 0..<3 { try await DBOS.write(value, toStream: "out") }
        return "\(index):\(total):\(reply)"
    }
}

/// Lines appended (and fsynced) to one file per process: `<epoch ms> <pid> <text>`.
final class Ledger: Sendable {
    /// A worker's ledger: the file its `--ledger` option names.
    static let shared = Ledger(path: option("--ledger") ?? "/dev/null")
    let path: String

    init(path: String) { self.path = path }

    func append(_ text: String) {
        let line = "\(Int64(Date().timeIntervalSince1970 * 1000)) \(getpid()) \(text)\n"
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else { return }
        _ = line.withCString { write(descriptor, $0, strlen($0)) }
        fsync(descriptor)
        close(descriptor)
    }

    /// Every line of every ledger file in `directory`, as (time, pid, words).
    static func read(_ directory: String) -> [(time: Int64, pid: Int32, words: [String])] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.flatMap { file -> [(time: Int64, pid: Int32, words: [String])] in
            let text = (try? String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                let words = line.split(separator: " ").map(String.init)
                guard words.count >= 3, let time = Int64(words[0]), let pid = Int32(words[1]) else { return nil }
                return (time, pid, Array(words.dropFirst(2)))
            }
        }.sorted { $0.time < $1.time }
    }
}
