import DBOS

/// The queue the worker serves, which DBOS Python enqueues on.
enum InteropQueue {
    static let name = "interop_queue"
}

/// The workflows other DBOS languages call by name. Step bodies append
/// `<workflow ID> <step>` to the counter file.
enum InteropWorkflows {
    /// With `patchedOrders`, `interopOrderV1` runs the patched code too: the next deployment.
    static func all(counter: CounterFile, patchedOrders: Bool = false) -> [any WorkflowDefinition] {
        [add(counter), summarize(), inbox(counter), steps(counter),
         order(named: "interopOrderV1", patched: patchedOrders), order(named: "interopOrderV2", patched: true)]
    }

    /// An order before and after a code change: `interopOrderV1` runs steps "one" and "two";
    /// `interopOrderV2` is the same code patched with `DBOS.patch("two-new")` to run "twoNew"
    /// instead. Both then wait for a message on topic "go" and return "old:<message>" or
    /// "new:<message>". DBOS Python's twin (scripts/interop/check_patch_recovery.py) recovers them.
    static func order(named name: String, patched: Bool) -> some WorkflowDefinition {
        Workflow(name) { () async throws -> String in
            _ = try await DBOS.step("one") { 1 }
            let new = patched ? try await DBOS.patch("two-new") : false
            _ = try await DBOS.step(new ? "twoNew" : "two") { 2 }
            let message = try await DBOS.receive(String.self, topic: "go", timeout: .seconds(600)) ?? "timeout"
            return "\(new ? "new" : "old"):\(message)"
        }
    }

    /// `interopAdd(a, b) -> a + b`, computed in step "add".
    static func add(_ counter: CounterFile) -> some WorkflowDefinition {
        Workflow("interopAdd") { (a: Int, b: Int) async throws -> Int in
            let id = DBOS.workflowID ?? "?"
            return try await DBOS.step("add") { () async throws -> Int in
                counter.append("\(id) add")
                return a + b
            }
        }
    }

    /// `interopSummarize(label, counts) -> {"label", "total", "keys"}`: objects and arrays both ways.
    static func summarize() -> some WorkflowDefinition {
        Workflow("interopSummarize") { (label: String, counts: [String: Int]) async throws -> Summary in
            Summary(label: label, total: counts.values.reduce(0, +), keys: counts.keys.sorted())
        }
    }

    /// `interopInbox(timeoutSeconds)`: step "prepare", event `status` = "waiting", then waits
    /// for a message on topic "approval"; sets `status` = "received" and returns the message
    /// (or "timeout").
    static func inbox(_ counter: CounterFile) -> some WorkflowDefinition {
        Workflow("interopInbox") { (timeoutSeconds: Double) async throws -> String in
            let id = DBOS.workflowID ?? "?"
            _ = try await DBOS.step("prepare") { () async throws -> Int in
                counter.append("\(id) prepare")
                return 1
            }
            try await DBOS.setEvent("status", to: "waiting")
            let message = try await DBOS.receive(String.self, topic: "approval",
                                              timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            try await DBOS.setEvent("status", to: "received")
            return message ?? "timeout"
        }
    }

    /// `interopSteps(count) -> [10, 20, ...]`: steps `step1`...`stepN`.
    static func steps(_ counter: CounterFile) -> some WorkflowDefinition {
        Workflow("interopSteps") { (count: Int) async throws -> [Int] in
            let id = DBOS.workflowID ?? "?"
            var values: [Int] = []
            for index in 1...max(count, 1) {
                values.append(try await DBOS.step("step\(index)") { () async throws -> Int in
                    counter.append("\(id) step\(index)")
                    return index * 10
                })
            }
            return values
        }
    }
}

/// The output of `interopSummarize`.
struct Summary: Codable, Sendable {
    var label: String
    var total: Int
    var keys: [String]
}
