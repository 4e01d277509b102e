import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: testing-runtime
func withTestRuntime<T>(_ workflows: [any WorkflowDefinition],
                        _ body: (DBOS) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }

    let dbos = try DBOS(config: .init(name: "test",
                                      systemDatabaseURL: folder.appendingPathComponent("test.sqlite").path,
                                      shutdownTimeout: .seconds(5)))
    try dbos.register(workflows)
    try await dbos.launch()
    do {
        let result = try await body(dbos)
        await dbos.shutdown()
        return result
    } catch {
        await dbos.shutdown()
        throw error
    }
}
// end snippet
