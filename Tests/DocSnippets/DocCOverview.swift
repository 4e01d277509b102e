// snippet: overview
import DBOS

@Step func loadPage(_ url: String) async throws -> String {
    "<html>\(url)</html>"
}

@Step func countWords(_ text: String) async throws -> Int {
    text.split(separator: " ").count
}

@Workflow func indexPage(_ url: String) async throws -> Int {
    let text = try await loadPage(url)
    return try await countWords(text)
}

func main() async throws {
    let dbos = try DBOS(config: .init(name: "overview"))   // ./overview.sqlite
    try dbos.register($indexPage)
    try await dbos.launch()                                // resumes unfinished workflows
    print(try await indexPage("https://example.com"))
    await dbos.shutdown()
}
// end snippet
