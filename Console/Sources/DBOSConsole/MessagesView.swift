import DBOS

/// The HTML of a workflow's events (latest value per key) and streams (count, closed, first values).
struct MessagesView {
    let events: [EventRecord]
    let streams: [StreamRecord]
    /// The most values of a stream the page shows.
    static let streamValuesShown = 50

    var html: String { eventsTable + streamsList }

    private var eventsTable: String {
        guard !events.isEmpty else { return "" }
        let rows = events.map { event in
            """
            <tr data-event="\(HTML.escape(event.key))"><td>\(HTML.escape(event.key))</td>\
            <td><pre class="payload">\(HTML.escape(HTML.prettyJSON(event.value)))</pre></td></tr>
            """
        }.joined(separator: "\n")
        return """
            <h2>Events</h2>
            <table class="events"><thead><tr><th>Key</th><th>Value</th></tr></thead>
            <tbody>
            \(rows)
            </tbody></table>

            """
    }

    private var streamsList: String {
        guard !streams.isEmpty else { return "" }
        let sections = streams.map { stream in
            let values = stream.values.map { "<li value=\"\($0.offset)\"><code>\(HTML.escape($0.value))</code></li>" }.joined()
            let more = stream.count > stream.values.count ? "<p class=\"hint\">First \(stream.values.count) of \(stream.count) values.</p>" : ""
            return """
                <section class="stream" data-stream="\(HTML.escape(stream.key))"><h3>\(HTML.escape(stream.key)) · \
                \(stream.count) value\(stream.count == 1 ? "" : "s")\(stream.isClosed ? " · closed" : " · open")</h3>
                <ol start="0">\(values)</ol>\(more)</section>
                """
        }.joined(separator: "\n")
        return "<h2>Streams</h2>\n\(sections)\n"
    }
}
