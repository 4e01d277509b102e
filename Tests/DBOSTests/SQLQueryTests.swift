import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// `SQLQuery` keeps every value out of the SQL text; `SQLRow` decodes by type and names a
/// damaged column instead of defaulting it.
@Suite struct SQLQueryTests {
    @Test func interpolatedValuesBecomeBindsNumberedInOrder() {
        let id = "o'brien\"; DROP TABLE workflow_status; --"
        let table: SQLFragment = "workflow_status"
        let query: SQLQuery = "SELECT name FROM \(table) WHERE workflow_uuid = \(id) AND priority > \(3) AND done = \(true)"
        #expect(query.sql { "$" + String($0) } == "SELECT name FROM workflow_status WHERE workflow_uuid = $1 AND priority > $2 AND done = $3")
        #expect(query.sql { "?" + String($0) } == "SELECT name FROM workflow_status WHERE workflow_uuid = ?1 AND priority > ?2 AND done = ?3")
        #expect(query.binds == [.text(id), .int(3), .bool(true)])
        #expect(!query.description.contains("brien"), "no value is part of the SQL text")
    }

    @Test func nestedQueriesAndListsRenumberTheirBinds() {
        let inner: SQLQuery = "SELECT workflow_uuid FROM t WHERE name = \("a")"
        let optional: String? = nil
        var query: SQLQuery = "WITH x AS (\(inner)) SELECT * FROM x WHERE id IN (\(list: ["p", "q"])) AND parent = \(optional)"
        query.append(" LIMIT \(10)")
        #expect(query.description == "WITH x AS (SELECT workflow_uuid FROM t WHERE name = $1) SELECT * FROM x WHERE id IN ($2, $3) AND parent = $4 LIMIT $5")
        #expect(query.binds == [.text("a"), .text("p"), .text("q"), .null, .int(10)])
        let joined = SQLQuery.joined(["a = \(1)", "b = \(2)"], separator: " AND ")
        #expect(joined.description == "a = $1 AND b = $2")
        #expect(joined.binds == [.int(1), .int(2)])
    }

    @Test func identifiersAreQuotedFragments() {
        let schema = SQLFragment(identifier: #"my"schema"#)
        let query: SQLQuery = "CREATE SCHEMA IF NOT EXISTS \(schema)"
        #expect(query.description == #"CREATE SCHEMA IF NOT EXISTS "my""schema""#)
        #expect(query.binds.isEmpty)
        #expect(SQLDialect.postgres(schema: "dbos").table(.workflowStatus).text == #""dbos".workflow_status"#)
        #expect(SQLDialect.sqlite.table(.workflowStatus).text == "workflow_status")
    }

    @Test func rowsDecodeByTypeAndNameADamagedColumn() throws {
        let row = SQLRow(columns: ["name": .text("w"), "attempts": .int(2), "flag": .int(1), "gone": .null, "when": .int(1_700_000_000_000)],
                         source: "`SELECT ...`")
        #expect(try row.decode("name", as: String.self) == "w")
        #expect(try row.decode("attempts", as: Int.self) == 2)
        #expect(try row.decode("flag", as: Bool.self))
        #expect(try row.decode("gone", as: String?.self) == nil)
        #expect(try row.decode("when", as: Date.self) == Date(timeIntervalSince1970: 1_700_000_000))
        #expect { try row.decode("missing", as: String.self) } throws: { error in
            let error = error as? DBOSError
            return error?.code == .malformedRow && error?.message == "malformed row in `SELECT ...`: column 'missing' is missing"
        }
        #expect { try row.decode("gone", as: String.self) } throws: { error in
            (error as? DBOSError)?.message == "malformed row in `SELECT ...`: column 'gone' is NULL, expected text"
        }
        #expect { try row.decode("name", as: Int.self) } throws: { error in
            (error as? DBOSError)?.code == .malformedRow
        }
    }

    /// End to end on both backends: an ID full of SQL metacharacters is just a value, and a
    /// damaged row is reported by column, never read as an empty default.
    @Test(arguments: Backend.available)
    func valuesNeverBecomeSQLAndDamagedRowsAreNamed(backend: Backend) async throws {
        let echo = Workflow("echo") { (text: String) async throws -> String in
            try await DBOS.step("say") { text }
        }
        let id = "o'brien\"; DROP TABLE dbos.workflow_status; -- $1 ?1"
        try await withRuntime(try await backend.freshDatabaseURL("sqlquery"), echo) { dbos in
            #expect(try await dbos.run(echo, id, options: WorkflowOptions(workflowID: id)) == id)
            #expect(try await dbos.listWorkflows(ListWorkflowsFilter(workflowIDs: [id])).map(\.workflowID) == [id])
            #expect(try await dbos.listWorkflows(ListWorkflowsFilter(workflowIDPrefix: "o'brien")).count == 1)

            _ = try await dbos.rawSQL("UPDATE dbos.workflow_status SET name = NULL WHERE workflow_uuid = \(id)")
            await #expect { try await dbos.getWorkflowStatus(id) } throws: { error in
                let error = error as? DBOSError
                return error?.code == .malformedRow && error?.message.contains("column 'name' is NULL") == true
            }
        }
    }
}
