import DBOS
import Foundation

/// A JSON value whose object keys keep their order, so output reads like DBOS Python's
/// (Foundation's `JSONEncoder` does not keep key order on Linux).
indirect enum JSON {
    case null
    case int(Int64)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    /// `.string(text)`, or `.null` when `text` is nil.
    static func string(_ text: String?) -> JSON { text.map { .string($0) } ?? .null }
    /// `.int(value)`, or `.null` when `value` is nil.
    static func int(_ value: Int64?) -> JSON { value.map { .int($0) } ?? .null }

    /// Two-space indented text.
    func rendered(indent: Int = 0) -> String {
        let inner = String(repeating: "  ", count: indent + 1)
        let outer = String(repeating: "  ", count: indent)
        switch self {
        case .null: return "null"
        case .int(let value): return String(value)
        case .string(let text): return Self.quoted(text)
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + $0.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n\(outer)]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            return "{\n" + fields.map { key, value in inner + Self.quoted(key) + ": " + value.rendered(indent: indent + 1) }
                .joined(separator: ",\n") + "\n\(outer)}"
        }
    }

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

extension JSON {
    /// One workflow as `dbos workflow list` / `dbos workflow get` print it in DBOS Python.
    /// Absent values are `null`; times are epoch milliseconds; payloads are the stored text.
    init(_ workflow: WorkflowStatus) {
        self = .object([
            ("workflow_id", .string(workflow.workflowID)),
            ("status", .string(workflow.state.rawValue)),
            ("name", .string(workflow.name)),
            ("class_name", .string(workflow.className)),
            ("config_name", .string(workflow.configName)),
            ("queue_name", .string(workflow.queueName)),
            ("executor_id", .string(workflow.executorID)),
            ("app_version", .string(workflow.applicationVersion)),
            ("app_id", .string(workflow.applicationID)),
            ("recovery_attempts", .int(Int64(workflow.recoveryAttempts))),
            ("created_at", .int(EpochMillis.of(workflow.createdAt))),
            ("updated_at", .int(EpochMillis.of(workflow.updatedAt))),
            ("input", .string(Payload.shown(workflow.input, serialization: workflow.serialization))),
            ("output", .string(Payload.shown(workflow.output, serialization: workflow.serialization))),
            ("error", .string(Payload.shown(workflow.error, serialization: workflow.serialization))),
            ("parent_workflow_id", .string(workflow.parentWorkflowID)),
            ("forked_from", .string(workflow.forkedFrom)),
            ("deduplication_id", .string(workflow.deduplicationID)),
            ("priority", .int(Int64(workflow.priority))),
        ])
    }

    /// One recorded step as `dbos workflow steps` prints it in DBOS Python.
    init(_ step: StepRecord) {
        self = .object([
            ("function_id", .int(Int64(step.functionID))),
            ("function_name", .string(step.functionName)),
            ("output", .string(Payload.shown(step.output, serialization: step.serialization))),
            ("error", .string(Payload.shown(step.error, serialization: step.serialization))),
            ("child_workflow_id", .string(step.childWorkflowID)),
            ("started_at_epoch_ms", .int(step.startedAt.map(EpochMillis.of))),
            ("completed_at_epoch_ms", .int(step.completedAt.map(EpochMillis.of))),
        ])
    }

    /// Prints the value on stdout.
    func print() {
        Swift.print(rendered())
    }
}

/// How stored payloads are shown: portable JSON (or no recorded format) as its raw text,
/// anything else as an opaque marker naming the format, which this tool does not decode.
enum Payload {
    static func shown(_ text: String?, serialization: String?) -> String? {
        guard let text else { return nil }
        if let serialization, serialization != PortableJSON.formatName { return "<\(serialization) payload>" }
        return text
    }
}

enum EpochMillis {
    static func of(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}
