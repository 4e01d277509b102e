import DBOS
import Foundation

/// The workflows list's filters and page position, read from a request's query string.
struct WorkflowListQuery: Sendable {
    var status: [WorkflowState]?
    var name: String?
    var queue: String?
    var idPrefix: String?
    var createdAfter: Date?
    var createdBefore: Date?
    var cursor: Cursor?
    var limit: Int

    /// A page position: the last row of the previous page (newest first), so the next page
    /// starts strictly after it in (created_at DESC, workflow_uuid DESC) order.
    struct Cursor: Sendable, Equatable {
        var createdAtMilliseconds: Int64
        var workflowID: String

        /// `<epoch milliseconds>_<workflow ID>`.
        var text: String { "\(createdAtMilliseconds)_\(workflowID)" }

        init(createdAtMilliseconds: Int64, workflowID: String) {
            self.createdAtMilliseconds = createdAtMilliseconds
            self.workflowID = workflowID
        }

        init(parsing text: String) throws {
            guard let separator = text.firstIndex(of: "_"),
                  let milliseconds = Int64(text[..<separator]), milliseconds >= 0,
                  text.index(after: separator) < text.endIndex
            else { throw ConsoleFailure.badRequest("malformed cursor 'before=\(text)' (expected <epoch ms>_<workflow ID>)") }
            createdAtMilliseconds = milliseconds
            workflowID = String(text[text.index(after: separator)...])
        }
    }

    /// The filters of `parameters`; a malformed value is a 400 naming it.
    init(_ parameters: [String: [String]], defaultLimit: Int) throws {
        func single(_ key: String) -> String? {
            guard let value = parameters[key]?.last?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        let statusTexts = (parameters["status"] ?? []).flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }
        if !statusTexts.isEmpty {
            status = try statusTexts.map { text in
                let state = WorkflowState(rawValue: text)
                guard WorkflowState.known.contains(state) else {
                    throw ConsoleFailure.badRequest("unknown status '\(text)' (one of \(WorkflowState.known.map(\.rawValue).joined(separator: ", ")))")
                }
                return state
            }
        }
        name = single("name")
        queue = single("queue")
        idPrefix = single("id_prefix")
        createdAfter = try single("created_after").map { try Self.parseTime($0, field: "created_after") }
        createdBefore = try single("created_before").map { try Self.parseTime($0, field: "created_before") }
        cursor = try single("before").map(Cursor.init(parsing:))
        if let text = single("limit") {
            guard let value = Int(text), (1...500).contains(value) else {
                throw ConsoleFailure.badRequest("limit '\(text)' is not a number from 1 to 500")
            }
            limit = value
        } else {
            limit = defaultLimit
        }
    }

    /// An ISO 8601 time (`2026-11-30T09:00:00Z`, with or without fractional seconds or zone),
    /// or a date (`2026-11-30`); times without a zone are UTC.
    static func parseTime(_ text: String, field: String) throws -> Date {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        throw ConsoleFailure.badRequest("\(field) '\(text)' is not an ISO 8601 time (e.g. 2026-11-30T09:00:00Z)")
    }

    /// The query string of these filters (without the cursor), for links.
    var filterQueryItems: [(String, String)] {
        var items: [(String, String)] = []
        for state in status ?? [] { items.append(("status", state.rawValue)) }
        if let name { items.append(("name", name)) }
        if let queue { items.append(("queue", queue)) }
        if let idPrefix { items.append(("id_prefix", idPrefix)) }
        if let createdAfter { items.append(("created_after", HTML.time(createdAfter))) }
        if let createdBefore { items.append(("created_before", HTML.time(createdBefore))) }
        return items
    }
}

/// One page of the workflows list, newest first.
struct WorkflowPage: Sendable {
    var workflows: [WorkflowStatus]
    /// The cursor of the next (older) page, when there is one.
    var next: WorkflowListQuery.Cursor?
}

extension WorkflowListQuery {
    /// The page of workflows this query names.
    ///
    /// `ListWorkflowsFilter` has no keyset condition, so the cursor is applied in two reads:
    /// the rows created in the cursor's millisecond (created_at is stored in whole
    /// milliseconds) whose ID sorts before the cursor's, filtered here in Swift, then the rows
    /// created strictly earlier (`createdBefore` one millisecond before the cursor). Each read
    /// asks for `limit + 1` rows, so a row beyond the page tells that there is a next page.
    func fetch(_ client: some WorkflowManaging) async throws -> WorkflowPage {
        var filter = ListWorkflowsFilter(name: name, status: status, queueName: queue, createdAfter: createdAfter,
                                         createdBefore: createdBefore, limit: limit + 1, sortDescending: true,
                                         loadPayloads: false)
        filter.workflowIDPrefix = idPrefix
        var rows: [WorkflowStatus] = []
        if let cursor {
            let instant = Date(timeIntervalSince1970: Double(cursor.createdAtMilliseconds) / 1000)
            if createdBefore.map({ $0 >= instant }) ?? true {
                var ties = filter
                ties.createdAfter = max(instant, createdAfter ?? instant)
                ties.createdBefore = instant
                ties.limit = nil
                rows = try await client.listWorkflows(ties)
                    .filter { $0.workflowID < cursor.workflowID }
                    .sorted { $0.workflowID > $1.workflowID }
            }
            let earlier = Date(timeIntervalSince1970: Double(cursor.createdAtMilliseconds - 1) / 1000)
            filter.createdBefore = min(earlier, createdBefore ?? earlier)
        }
        if rows.count <= limit {
            filter.limit = limit + 1 - rows.count
            rows += try await client.listWorkflows(filter)
        }
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? page.last.map {
            Cursor(createdAtMilliseconds: Int64(($0.createdAt.timeIntervalSince1970 * 1000).rounded()), workflowID: $0.workflowID)
        } : nil
        return WorkflowPage(workflows: page, next: next)
    }
}
