// snippet: readme-tour-closure
import DBOS

// end snippet
func readmeTourClosure() async throws -> Int {
    // snippet: readme-tour-closure
    // A workflow is an async function whose steps are checkpointed.
    let indexDocument = Workflow("indexDocument") { (url: String) async throws -> Int in
        let text = try await DBOS.step("fetchPage") { try await fetchPage(url) }
        return try await DBOS.step("embed", retries: .exponential(maxAttempts: 5)) { try await embed(text) }
    }

    let dbos = try DBOS(config: .init(name: "ingest"))          // ./ingest.sqlite
    // or .init(name: "ingest", systemDatabaseURL: "postgresql://user:pass@host:5432/ingest")
    try dbos.register(indexDocument)
    try await dbos.launch()                                          // migrates, resumes unfinished work

    let pages = try await dbos.run(indexDocument, "https://example.com")
    let handle = try await dbos.start(indexDocument, "https://example.com/2",
                                      options: .init(workflowID: "doc-2"))  // the ID is the idempotency key
    print(try await handle.result(), try await handle.status().state)
    // end snippet
    return pages
}
