import DBOS
import Foundation
import Logging
import PostgresNIO
import SQLiteNIO

/// Checks, from the database and the ledgers, what must hold after the faults.
final class ChaosCheck {
    let client: DBOSClient
    let url: String
    let ledgers: String
    let workflows: Int
    let kills: Int
    /// Step bodies that ran more than once (each interrupted by a kill).
    private(set) var reruns = 0

    init(client: DBOSClient, url: String, ledgers: String, workflows: Int, kills: Int) {
        self.client = client
        self.url = url
        self.ledgers = ledgers
        self.workflows = workflows
        self.kills = kills
    }

    func run() async throws -> [String] {
        var violations: [String] = []
        violations += try await checkStatusesAndOutputs()
        violations += try await checkSteps()
        violations += try await checkEventsAndStreams()
        violations += try await checkMessages()
        violations += checkLedger()
        return violations
    }

    /// Every workflow finished; every order SUCCESS with its own output; nothing left behind.
    private func checkStatusesAndOutputs() async throws -> [String] {
        var violations: [String] = []
        let all = try await client.listWorkflows(ListWorkflowsFilter())
        for status in all where status.state != .success {
            violations.append("\(status.workflowID) (\(status.name)) ended \(status.state.rawValue)")
        }
        let orders = all.filter { $0.name == "chaosOrder" }
        if orders.count != workflows { violations.append("\(orders.count) orders in the database, \(workflows) enqueued") }
        let children = all.filter { $0.name == "chaosChild" }
        if children.count != workflows { violations.append("\(children.count) children for \(workflows) orders") }
        for index in 0..<workflows {
            let output = try? await client.result(of: "order-\(index)", as: String.self, timeout: .seconds(5))
            if output != ChaosWorkload.expectedOutput(index) {
                violations.append("order-\(index) returned \(output ?? "nothing"), expected \(ChaosWorkload.expectedOutput(index))")
            }
        }
        return violations
    }

    /// Each order recorded the same operations, each once, with IDs 1...n in program order.
    private func checkSteps() async throws -> [String] {
        var violations: [String] = []
        var reference: [String]?
        for index in 0..<workflows {
            let steps = try await client.listSteps("order-\(index)")
            let names = steps.map(\.functionName)
            if steps.map(\.functionID) != Array(1...max(1, steps.count)) {
                violations.append("order-\(index) has operation IDs \(steps.map(\.functionID))")
            }
            for step in 1...ChaosWorkload.steps where names.filter({ $0 == "step\(step)" }).count != 1 {
                violations.append("order-\(index) recorded step\(step) \(names.filter { $0 == "step\(step)" }.count) times")
            }
            if let reference, names != reference { violations.append("order-\(index) recorded \(names), others \(reference)") }
            reference = reference ?? names
        }
        return violations
    }

    /// Each order's event is set and its stream holds 0, 1, 2 exactly once each.
    private func checkEventsAndStreams() async throws -> [String] {
        var violations: [String] = []
        for index in 0..<workflows {
            let id = "order-\(index)"
            let event = try await client.event("progress", of: id, as: String.self, timeout: .zero)
            if event != "done" { violations.append("\(id) event progress is \(event ?? "missing")") }
            // The stream of a workflow that has not finished stays open: reading it would wait
            // forever. Its unfinished state is a violation of its own (checkStatusesAndOutputs).
            guard let state = try await client.getWorkflowStatus(id)?.state, !state.isActive else { continue }
            var values: [Int] = []
            for try await value in client.stream("out", of: id, as: Int.self) { values.append(value) }
            if values != [0, 1, 2] { violations.append("\(id) stream out is \(values)") }
        }
        return violations
    }

    /// Every message was consumed, once: no message is left waiting or stored twice.
    private func checkMessages() async throws -> [String] {
        let rows = try await RawQuery(url: url).rows(
            "SELECT destination_uuid, CASE WHEN consumed THEN 1 ELSE 0 END AS taken FROM \(url.hasPrefix("postgres") ? "dbos." : "")notifications")
        var violations: [String] = []
        var consumed: [String: Int] = [:]
        for (destination, taken) in rows {
            if taken == 0 { violations.append("a message to \(destination) was never consumed") }
            consumed[destination, default: 0] += 1
        }
        for (destination, count) in consumed where count != 1 { violations.append("\(destination) received \(count) messages") }
        if consumed.count != workflows { violations.append("\(consumed.count) children received a message, \(workflows) expected") }
        return violations
    }

    /// Step bodies re-ran only where a kill interrupted them, and the queue's limits held:
    /// at most `workerConcurrency` orders ran at once in a worker, `globalConcurrency` in all.
    private func checkLedger() -> [String] {
        var violations: [String] = []
        let lines = Ledger.read(ledgers)
        var runs: [String: Int] = [:]
        for line in lines where line.words.first == "step" || line.words.first == "ack" {
            runs[line.words.joined(separator: " "), default: 0] += 1
        }
        let expected = workflows * (ChaosWorkload.steps + 1)
        if runs.count != expected { violations.append("\(runs.count) distinct step bodies ran, \(expected) expected") }
        reruns = runs.values.reduce(0) { $0 + $1 - 1 }
        // A kill interrupts at most the running orders and their children, one step each.
        let bound = kills * ChaosWorkload.workerConcurrency * 2
        if reruns > bound { violations.append("\(reruns) step bodies ran again after \(kills) kills (at most \(bound) could)") }

        // Executions: from "begin" to "end" in one process, or to that process's kill.
        var open: [String: Int32] = [:]           // execution -> pid
        var perProcess: [Int32: Int] = [:]
        var total = 0
        for line in lines {
            switch line.words.first {
            case "begin":
                open[line.words[2]] = line.pid
                perProcess[line.pid, default: 0] += 1
                total += 1
                if perProcess[line.pid]! > ChaosWorkload.workerConcurrency {
                    violations.append("process \(line.pid) ran \(perProcess[line.pid]!) orders at once")
                }
                if total > ChaosWorkload.globalConcurrency { violations.append("\(total) orders ran at once across workers") }
            case "end":
                if let pid = open.removeValue(forKey: line.words[2]) { perProcess[pid, default: 1] -= 1; total -= 1 }
            case "kill":
                guard let pid = Int32(line.words[1]) else { continue }
                let ended = open.filter { $0.value == pid }.map(\.key)
                for execution in ended { open.removeValue(forKey: execution) }
                total -= ended.count
                perProcess[pid] = 0
            default:
                continue
            }
        }
        return violations
    }
}

/// One raw query against the system database, for what the public API does not show.
struct RawQuery {
    let url: String

    /// Rows of (text, integer).
    func rows(_ sql: String) async throws -> [(String, Int)] {
        if url.hasPrefix("sqlite://") {
            let connection = try await SQLiteConnection.open(storage: .file(path: String(url.dropFirst("sqlite://".count))))
            let rows = try await connection.query(sql).map { row in
                (row.column("destination_uuid")?.string ?? "", row.column("taken")?.integer ?? -1)
            }
            try await connection.close()
            return rows
        }
        guard let components = URLComponents(string: url), let host = components.host else { return [] }
        let logger = Logger(label: "chaos.check")
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
                                 password: components.password, database: String(components.path.dropFirst()), tls: .disable),
            id: 1, logger: logger)
        var result: [(String, Int)] = []
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode((String, Int).self) {
            result.append(row)
        }
        try await connection.close()
        return result
    }
}
