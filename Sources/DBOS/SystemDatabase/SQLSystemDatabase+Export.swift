import Foundation

/// Export and import of whole workflows: every row of every table that belongs to them, column
/// by column, so a workflow recorded on one database (a production PostgreSQL) can be read,
/// replayed and forked on another (a laptop's SQLite file).
extension SQLSystemDatabase {
    /// The tables holding a workflow's rows, with the column naming the workflow, in the order
    /// an import writes them (the status row first: the others reference it).
    static let exportedTables: [(table: SystemTable, key: String)] = [
        (.workflowStatus, "workflow_uuid"), (.workflowInput, "workflow_uuid"), (.workflowOutput, "workflow_uuid"),
        (.operationOutputs, "workflow_uuid"), (.workflowEvents, "workflow_uuid"),
        (.workflowEventsHistory, "workflow_uuid"), (.streams, "workflow_uuid"), (.notifications, "destination_uuid"),
    ]

    func exportWorkflows(_ workflowIDs: [String], includeChildren: Bool) async throws -> [ExportedWorkflow] {
        let ids = try await withDescendants(workflowIDs, includeChildren: includeChildren)
        var byWorkflow: [String: [String: [[String: JSONValue]]]] = [:]
        for (table, key) in Self.exportedTables {
            for row in try await exportedRows(of: table, where: key, in: ids) {
                guard case .string(let workflowID)? = row[key] else { continue }
                byWorkflow[workflowID, default: [:]][table.name.text, default: []].append(row)
            }
        }
        return ids.compactMap { id in
            guard let tables = byWorkflow[id], tables[SystemTable.workflowStatus.name.text]?.isEmpty == false else { return nil }
            return ExportedWorkflow(workflowID: id, tables: tables)
        }
    }

    /// Every column of the rows of `table` whose `key` is one of `ids`, as JSON: PostgreSQL
    /// converts its own rows (`row_to_json`, so `jsonb` stays JSON), SQLite's are converted
    /// here, with its JSON text columns parsed so both backends export the same shapes.
    private func exportedRows(of table: SystemTable, where key: String, in ids: [String]) async throws -> [[String: JSONValue]] {
        let name = dialect.table(table)
        let match: SQLQuery = "\(SQLFragment(identifier: key)) IN (\(dialect.values(ids)))"
        if dialect.convertsRowsToJSON {
            return try await driver.read("SELECT CAST(row_to_json(t) AS TEXT) AS row FROM \(name) t WHERE \(match)").map { row in
                try PortableJSON.decode([String: JSONValue].self, from: try row.decode("row"), what: "an exported \(table.name.text) row")
            }
        }
        let booleans = try await columnTypes(of: table).filter { $0.value.uppercased().hasPrefix("BOOL") }.keys
        return try await driver.read("SELECT * FROM \(name) WHERE \(match)").map { read in
            var row = read.columns.mapValues(\.json)
            for column in booleans {
                if case .number(let number)? = row[column] { row[column] = .bool(number != 0) }
            }
            for column in Self.jsonColumnNames(of: table) {
                if case .string(let text)? = row[column], let parsed = try? PortableJSON.decode(JSONValue.self, from: text, what: column) {
                    row[column] = parsed
                }
            }
            return row
        }
    }

    /// Columns stored as JSON (`jsonb` on PostgreSQL, JSON text on SQLite).
    private static func jsonColumnNames(of table: SystemTable) -> [String] {
        table == .workflowStatus ? ["attributes"] : []
    }

    /// Writes exported workflows into this database, in one transaction. Throws
    /// ``DBOSError/Code/invalidArgument`` naming a workflow that already exists here (nothing is
    /// written then). Columns this database's tables lack are left out.
    func importWorkflows(_ workflows: [ExportedWorkflow]) async throws {
        let ids = workflows.map(\.workflowID)
        guard !ids.isEmpty else { return }
        let existing: [String] = try await driver.read(
            "SELECT workflow_uuid FROM \(tables.status) WHERE workflow_uuid IN (\(dialect.values(ids)))"
        ).map { try $0.decode("workflow_uuid") }
        if let taken = existing.first {
            throw DBOSError.invalidArgument("cannot import workflow '\(taken)': a workflow with that ID exists in this database")
        }
        var columns: [SystemTable: Set<String>] = [:]
        for (table, _) in Self.exportedTables { columns[table] = Set(try await columnTypes(of: table).keys) }
        let dialect = self.dialect
        try await driver.transaction { [columns] executor in
            for (table, _) in Self.exportedTables {
                for workflow in workflows {
                    for row in workflow.tables[table.name.text] ?? [] {
                        let known = row.keys.filter { columns[table]?.contains($0) == true }.sorted()
                        guard !known.isEmpty else { continue }
                        _ = try await executor.execute(Self.insert(row, columns: known, into: table, dialect))
                    }
                }
            }
        }
    }

    /// `table`'s columns in this database, with their declared types.
    private func columnTypes(of table: SystemTable) async throws -> [String: String] {
        let query: SQLQuery = dialect.convertsRowsToJSON
            ? "SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = \(schema) AND table_name = \(table.name.text)"
            : "SELECT name, type FROM pragma_table_info(\(table.name.text))"
        let columns = try await driver.read(query).map { (try $0.decode("name", as: String.self), try $0.decode("type", as: String.self)) }
        return Dictionary(columns, uniquingKeysWith: { first, _ in first })
    }

    /// One exported row as an INSERT: PostgreSQL converts the JSON object to the table's row
    /// type itself (`json_populate_record`: numbers into bigint, JSON into jsonb, `0`/`1` into
    /// booleans); SQLite takes each value bound by its JSON type.
    private static func insert(_ row: [String: JSONValue], columns: [String], into table: SystemTable, _ dialect: SQLDialect) throws -> SQLQuery {
        let name = dialect.table(table)
        let list = SQLFragment(joining: columns.map { SQLFragment(identifier: $0) }, separator: ", ")
        if dialect.convertsRowsToJSON {
            let object = try PortableJSON.encode(row.filter { columns.contains($0.key) })
            return "INSERT INTO \(name) (\(list)) SELECT \(list) FROM json_populate_record(NULL::\(name), CAST(\(object) AS json))"
        }
        let values = columns.map { SQLValue(json: row[$0] ?? .null) }
        return "INSERT INTO \(name) (\(list)) VALUES (\(SQLQuery.joined(values.map { "\($0)" }, separator: ", ")))"
    }
}
