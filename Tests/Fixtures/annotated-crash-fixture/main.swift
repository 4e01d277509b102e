// A child process for the annotated-workflow crash test: runs `annotatedFixture` (three steps)
// and prints `RESULT <json>` when it completes. See AnnotatedFixture.swift for the options.
import DBOS
import Foundation

do {
    let dbos = try DBOS(config: DBOSConfig(name: "annotated-fixture", systemDatabaseURL: fixtureOptions.databaseURL))
    try dbos.register($annotatedFixture)
    try await dbos.launch()
    let handle = try await dbos.start($annotatedFixture, 3, options: WorkflowOptions(workflowID: fixtureOptions.workflowID))
    let result = try await handle.result()
    print("RESULT \(try PortableJSON.encode(result))")
    await dbos.shutdown()
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
