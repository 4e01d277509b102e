/// The frame every console page shares: head, navigation, the script and the stylesheet.
struct PageLayout {
    /// The console's base path (links are made from it).
    let base: String
    /// Whether actions are hidden.
    let readOnly: Bool

    /// A whole HTML document around `body` (already escaped HTML).
    func render(title: String, body: String) -> String {
        let mode = readOnly ? "<span class=\"badge\">read-only</span>" : ""
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title)) · DBOS console</title>
            <link rel="stylesheet" href="\(HTML.escape(base))/static/console.css">
            <script src="\(HTML.escape(base))/static/console.js" defer></script>
            </head>
            <body data-base="\(HTML.escape(base))" data-read-only="\(readOnly)">
            <header><nav>
            <a class="brand" href="\(HTML.escape(base))/">DBOS console</a>
            <a href="\(HTML.escape(base))/">Workflows</a>
            <a href="\(HTML.escape(base))/queues">Queues</a>
            <a href="\(HTML.escape(base))/metrics">Metrics</a>
            \(mode)
            </nav></header>
            <main>
            <h1>\(HTML.escape(title))</h1>
            \(body)
            </main>
            </body>
            </html>
            """
    }
}
