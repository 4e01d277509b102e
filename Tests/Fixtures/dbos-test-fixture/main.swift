// A small program the crash tests run as a child process and SIGKILL.
//
//   dbos-test-fixture --database-url URL --workflow-id ID [--steps N] --counter-file PATH
//                     [--crash-after-step K] [--hang-at-step K]
//                     [--recv-timeout S [--set-event KEY=VALUE]]
//
// Runs `fixtureWorkflow` (steps step1...stepN). Each step body appends "stepK" to the
// counter file when it completes, so a test can count how often each body ran.
// --crash-after-step K: SIGKILL this process right after step K is checkpointed.
// --hang-at-step K: step K appends "stepK-start" and then never finishes (the test kills us).
// --recv-timeout S: instead, run `fixtureInbox`: step "prepare", then wait up to S seconds
//   for a message on topic "approval"; the result is the message or "timeout".
// --set-event KEY=VALUE: with --recv-timeout, `fixtureInbox` sets event KEY to the string
//   VALUE (DBOS.setEvent) after "prepare", before it waits.
// --publish: instead, run `fixturePublisher`: send "hello" to itself on topic "note", set event
//   "progress" to "sent", write "a" and "b" to stream "log", run step "mark", then close the
//   stream. With --crash-after-step 1 the process SIGKILLs itself right after "mark".
// --schedule S: instead, schedule `fixtureTick` every second as "every-second" (context
//   "fixture"), run for S seconds, then shut down and exit 0. Each run's step appends
//   "tick <scheduled time>" to the counter file.
// --traced: bootstrap an in-memory tracer and start the workflow inside a span "request";
//   prints `TRACE <trace ID>` first (a recovery elsewhere must continue that trace).
// Prints `RESULT <json>` when the workflow completes.
import DBOS
import Foundation
import InMemoryTracing
import Tracing

struct Options {
    var databaseURL = ""
    var workflowID = "fixture-workflow"
    var steps = 3
    var counterFile = ""
    var crashAfterStep: Int?
    var hangAtStep: Int?
    var recvTimeout: Double?
    var setEvent: (key: String, value: String)?
    var publish = false
    var scheduleSeconds: Double?
    var traced = false

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            if flag == "--publish" { publish = true; continue }
            if flag == "--traced" { traced = true; continue }
            let value = iterator.next() ?? ""
            switch flag {
            case "--database-url": databaseURL = value
            case "--workflow-id": workflowID = value
            case "--steps": steps = Int(value) ?? 3
            case "--counter-file": counterFile = value
            case "--crash-after-step": crashAfterStep = Int(value)
            case "--hang-at-step": hangAtStep = Int(value)
            case "--recv-timeout": recvTimeout = Double(value)
            case "--schedule": scheduleSeconds = Double(value)
            case "--set-event":
                guard let equals = value.firstIndex(of: "=") else {
                    FileHandle.standardError.write(Data("--set-event needs KEY=VALUE\n".utf8))
                    exit(2)
                }
                setEvent = (String(value[..<equals]), String(value[value.index(after: equals)...]))
            default:
                FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8))
                exit(2)
            }
        }
    }
}

func appendLine(_ line: String, to path: String) {
    guard !path.isEmpty else { return }
    let handle = FileHandle(forWritingAtPath: path) ?? {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return FileHandle(forWritingAtPath: path)!
    }()
    handle.seekToEndOfFile()
    handle.write(Data((line + "\n").utf8))
    try? handle.synchronize()
    try? handle.close()
}

let options = Options(CommandLine.arguments)

let fixtureWorkflow = Workflow("fixtureWorkflow") { (steps: Int) async throws -> [Int] in
    var results: [Int] = []
    for index in 1...steps {
        let value = try await DBOS.step("step\(index)") { () async throws -> Int in
            if options.hangAtStep == index {
                appendLine("step\(index)-start", to: options.counterFile)
                try await Task.sleep(for: .seconds(3600))
            }
            appendLine("step\(index)", to: options.counterFile)
            return index * 10
        }
        results.append(value)
        if options.crashAfterStep == index {
            kill(getpid(), SIGKILL)
        }
    }
    return results
}

let fixtureInbox = Workflow("fixtureInbox") { (timeout: Double) async throws -> String in
    _ = try await DBOS.step("prepare") { () async throws -> Int in
        appendLine("prepare", to: options.counterFile)
        return 1
    }
    if let event = options.setEvent {
        try await DBOS.setEvent(event.key, to: event.value)
    }
    let message = try await DBOS.receive(String.self, topic: "approval", timeout: .milliseconds(Int64(timeout * 1000)))
    return message ?? "timeout"
}

/// Sends, sets an event and writes a stream, then checkpoints a step: a replay after a crash
/// right after "mark" must not repeat any of them.
let fixturePublisher = Workflow("fixturePublisher") { () async throws -> String in
    guard let me = DBOS.workflowID else { return "no workflow" }
    try await DBOS.send("hello", to: me, topic: "note")
    try await DBOS.setEvent("progress", to: "sent")
    try await DBOS.write("a", toStream: "log")
    try await DBOS.write("b", toStream: "log")
    _ = try await DBOS.step("mark") { () async throws -> Int in
        appendLine("mark", to: options.counterFile)
        return 1
    }
    if options.crashAfterStep == 1 { kill(getpid(), SIGKILL) }
    try await DBOS.closeStream("log")
    return "published"
}

/// Run by the every-second schedule of `--schedule`: records that its body ran for this tick.
let fixtureTick = Workflow("fixtureTick") { (scheduledAt: Date, context: String) async throws -> String in
    let tick = scheduledAt.formatted(.iso8601)
    _ = try await DBOS.step("record") { () async throws -> Int in
        appendLine("tick \(tick)", to: options.counterFile)
        return 1
    }
    return "\(context) \(tick)"
}

do {
    let dbos = try DBOS(config: DBOSConfig(name: "fixture", systemDatabaseURL: options.databaseURL))
    try dbos.register(fixtureWorkflow, fixtureInbox, fixturePublisher, fixtureTick)
    if let seconds = options.scheduleSeconds {
        try dbos.schedule("every-second", cron: "* * * * * *", workflow: fixtureTick, context: "fixture")
        try await dbos.launch()
        print("LAUNCHED")
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
        await dbos.shutdown()
        print("RESULT \"scheduled\"")
        exit(0)
    }
    try await dbos.launch()
    let ids = WorkflowOptions(workflowID: options.workflowID)
    let result: String
    if options.publish {
        result = try PortableJSON.encode(try await dbos.start(fixturePublisher, options: ids).result())
    } else if let timeout = options.recvTimeout {
        result = try PortableJSON.encode(try await dbos.start(fixtureInbox, timeout, options: ids).result())
    } else if options.traced {
        InstrumentationSystem.bootstrap(InMemoryTracer(idGenerator: InMemoryTracer.IDGenerator(
            nextTraceID: { UUID().uuidString }, nextSpanID: { UUID().uuidString })))
        result = try await withSpan("request") { span in
            // Unbuffered: the process is killed before a buffered line would be flushed.
            FileHandle.standardOutput.write(Data("TRACE \(span.context.inMemorySpanContext?.traceID ?? "none")\n".utf8))
            return try PortableJSON.encode(try await dbos.start(fixtureWorkflow, options.steps, options: ids).result())
        }
    } else {
        result = try PortableJSON.encode(try await dbos.start(fixtureWorkflow, options.steps, options: ids).result())
    }
    print("RESULT \(result)")
    await dbos.shutdown()
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
