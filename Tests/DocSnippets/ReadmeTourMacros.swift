// snippet: readme-tour-macros
import DBOS

@Step func fetchPage(_ url: String) async throws -> String {      // checkpointed
    "<html>\(url)</html>"                                          // your HTTP call here
}
@Step(retries: .exponential(maxAttempts: 5)) func embed(_ text: String) async throws -> Int {
    text.count                                                      // your model call here
}

@Workflow func indexDocument(_ url: String) async throws -> Int {
    let text = try await fetchPage(url)
    return try await embed(text)
}

// end snippet
func readmeTourMacros(dbos: DBOS, url: String) async throws -> Int {
    // snippet: readme-tour-macros
    try dbos.register($indexDocument)            // the macro declares `$indexDocument`
    try await dbos.launch()
    let pages = try await indexDocument(url)     // runs durably on the launched runtime
    // end snippet
    return pages
}
