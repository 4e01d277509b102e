// A small program the crash tests run as a child process and SIGKILL.
//
//   dbos-test-fixture --database-url URL --workflow-id ID [--steps N] --counter-file PATH
//                     [--crash-after-step K] [--hang-at-step K]
//
// Runs `fixtureWorkflow` (steps step1...stepN). Each step body appends "stepK" to the
// counter file when it completes, so a test can count how often each body ran.
// --crash-after-step K: SIGKILL this process right after step K is checkpointed.
// --hang-at-step K: step K appends "stepK-start" and then never finishes (the test kills us).
// Prints `RESULT <json>` when the workflow completes.
import DBOS
import Foundation

struct Options {
    var databaseURL = ""
    var workflowID = "fixture-workflow"
    var steps = 3
    var counterFile = ""
    var crashAfterStep: Int?
    var hangAtStep: Int?

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--database-url": databaseURL = value
            case "--workflow-id": workflowID = value
            case "--steps": steps = Int(value) ?? 3
            case "--counter-file": counterFile = value
            case "--crash-after-step": crashAfterStep = Int(value)
            case "--hang-at-step": hangAtStep = Int(value)
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

do {
    let dbos = try await DBOS(config: DBOSConfig(name: "fixture", systemDatabaseURL: options.databaseURL))
    try dbos.register(fixtureWorkflow)
    try await dbos.launch()
    let handle = try await dbos.start(fixtureWorkflow, options.steps, options: WorkflowOptions(workflowID: options.workflowID))
    let result = try await handle.result()
    print("RESULT \(try PortableJSON.encode(result))")
    await dbos.shutdown()
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
