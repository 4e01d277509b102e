import Foundation

/// Command-line options of `dbos-interop-worker` (see main.swift).
struct Options {
    enum Mode: String {
        case serve, client
    }

    var mode = Mode.serve
    var databaseURL = ""
    var counterFile = ""
    var queue = InteropQueue.name
    var exitAfterSeconds: Double = 600
    /// `--orders patched`: `interopOrderV1` runs the patched code (a later deployment).
    var patchedOrders = false
    // client mode
    var workflowName = ""
    var arguments = "[]"
    var workflowID: String?
    var timeoutSeconds: Double = 120
    /// With a key, client mode debounces instead of enqueueing, and does not wait.
    var debounceKey: String?
    var debouncePeriodSeconds: Double = 1

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        guard let mode = iterator.next().flatMap(Mode.init(rawValue:)) else {
            Self.fail("the first argument must be 'serve' or 'client'")
        }
        self.mode = mode
        while let flag = iterator.next() {
            guard let value = iterator.next() else { Self.fail("\(flag) needs a value") }
            switch flag {
            case "--database-url": databaseURL = value
            case "--counter-file": counterFile = value
            case "--queue": queue = value
            case "--exit-after-seconds": exitAfterSeconds = Self.number(value, flag)
            case "--orders":
                guard ["patched", "as-named"].contains(value) else { Self.fail("--orders takes 'patched' or 'as-named'") }
                patchedOrders = value == "patched"
            case "--workflow": workflowName = value
            case "--args": self.arguments = value
            case "--workflow-id": workflowID = value
            case "--timeout": timeoutSeconds = Self.number(value, flag)
            case "--debounce-key": debounceKey = value
            case "--debounce-period": debouncePeriodSeconds = Self.number(value, flag)
            default: Self.fail("unknown option \(flag)")
            }
        }
        if databaseURL.isEmpty { Self.fail("--database-url is required") }
        if mode == .client, workflowName.isEmpty { Self.fail("client mode needs --workflow NAME") }
    }

    private static func number(_ text: String, _ flag: String) -> Double {
        guard let value = Double(text), value > 0 else { fail("\(flag) needs a positive number, got '\(text)'") }
        return value
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("dbos-interop-worker: \(message)\n".utf8))
        exit(2)
    }
}
