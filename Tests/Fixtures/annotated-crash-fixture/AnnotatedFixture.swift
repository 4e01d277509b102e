// The workflow of `annotated-crash-fixture`, written with @Workflow and @Step.
import DBOS
import Foundation

/// Command-line options:
///
///     annotated-crash-fixture --database-url URL --workflow-id ID --counter-file PATH [--crash-after-step K]
struct FixtureOptions: Sendable {
    var databaseURL = ""
    var workflowID = "annotated-fixture"
    var counterFile = ""
    var crashAfterStep: Int?

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--database-url": databaseURL = value
            case "--workflow-id": workflowID = value
            case "--counter-file": counterFile = value
            case "--crash-after-step": crashAfterStep = Int(value)
            default:
                FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8))
                exit(2)
            }
        }
    }
}

let fixtureOptions = FixtureOptions(CommandLine.arguments)

/// Appends `line` to the counter file, so the test can count how often each step body ran.
func appendLine(_ line: String) {
    let path = fixtureOptions.counterFile
    guard !path.isEmpty else { return }
    if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    guard let handle = FileHandle(forWritingAtPath: path) else { return }
    handle.seekToEndOfFile()
    handle.write(Data((line + "\n").utf8))
    try? handle.synchronize()
    try? handle.close()
}

@Step func fixtureStep(_ index: Int) async throws -> Int {
    appendLine("step\(index)")
    return index * 10
}

/// Runs `fixtureStep` 1...steps; with `--crash-after-step K` the process SIGKILLs itself right
/// after step K is checkpointed.
@Workflow(name: "annotatedFixture")
func annotatedFixture(_ steps: Int) async throws -> [Int] {
    var results: [Int] = []
    for index in 1...steps {
        results.append(try await fixtureStep(index))
        if fixtureOptions.crashAfterStep == index { kill(getpid(), SIGKILL) }
    }
    return results
}
