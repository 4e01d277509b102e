import DBOS
import DBOSConsole
import DBOSTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Who may use the console: the token (header, `?token=` and cookie), read-only mode, and the
/// refusal to serve a non-loopback address without a token.
@Suite(.timeLimit(.minutes(5))) struct ConsoleAccessTests {
    static let token = "s3cret-Token_1"

    @Test(arguments: Backend.available)
    func everyRequestNeedsTheToken(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("console")
        try await ConsoleAPITests.seed(url)
        try await withConsole(url, options: ConsoleOptions(token: Self.token)) { http, _ in
            for uri in ["/", "/workflows/api-1", "/queues", "/metrics", "/static/console.js", "/events?id=api-1"] {
                let refused = try await http.fetch(uri)
                #expect(refused.status == .unauthorized, "\(uri)")
                #expect(!refused.body.contains("api-1\">"), "\(uri)")
            }
            let api = try await http.fetch("/api/workflows")
            #expect(api.status == .unauthorized && api.contentType.hasPrefix("application/json"))
            #expect(try await http.fetch("/api/workflows", headers: [.authorization: "Bearer wrong"]).status == .unauthorized)
            #expect(try await http.fetch("/api/workflows", headers: [.authorization: "Basic \(Self.token)"]).status == .unauthorized)
            #expect(try ConsoleAPITests.ids(try await http.fetch("/api/workflows", headers: [.authorization: "Bearer \(Self.token)"])).count == 6)
            #expect(try await http.action("cancel", "api-1", headers: [.authorization: "Bearer wrong"]).status == .unauthorized)

            // ?token= sets the cookie and drops the token from the address.
            let login = try await http.fetch("/?status=SUCCESS&token=\(Self.token)")
            #expect(login.status == .seeOther)
            #expect(login.headers[.location] == "/?status=SUCCESS")
            let cookie = try #require(login.headers[.setCookie])
            #expect(cookie.contains("dbos_console_token=\(Self.token)") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            #expect(try await http.fetch("/?token=wrong").status == .unauthorized)

            let withCookie: HTTPFields = [.cookie: "dbos_console_token=\(Self.token)"]
            let page = try await http.fetch("/workflows/api-1", headers: withCookie)
            #expect(page.status == .ok && page.body.contains("data-action=\"cancel\""))
            #expect(try await http.fetch("/metrics", headers: withCookie).status == .ok)
            #expect(try await http.fetch("/", headers: [.cookie: "dbos_console_token=nope"]).status == .unauthorized)
        }
    }

    @Test(arguments: Backend.available)
    func readOnlyShowsNoActionsAndRefusesThem(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("console")
        try await withRuntime(url, TestWorkflows.waiter) { dbos in
            _ = try await dbos.start(TestWorkflows.waiter, options: WorkflowOptions(workflowID: "ro-1"))
            try await eventually("ro-1 to wait") { try await dbos.listSteps("ro-1").count >= 3 }
            try await withConsole(url, options: ConsoleOptions(readOnly: true)) { http, client in
                let page = try await http.fetch("/workflows/ro-1")
                #expect(page.status == .ok)
                #expect(!page.body.contains("data-action="))
                #expect(page.body.contains("read-only"))
                #expect(page.body.contains("class=\"bar "))
                for action in ["cancel", "resume", "delete"] {
                    let refused = try await http.action(action, "ro-1")
                    #expect(refused.status == .forbidden, "\(action): \(refused.body)")
                }
                #expect(try await http.action("fork", "ro-1", query: "?step=1").status == .forbidden)
                #expect(try await client.getWorkflowStatus("ro-1")?.state == .pending)
            }
        }
    }

    @Test func refusesANonLoopbackAddressWithoutAToken() throws {
        #expect(throws: ConsoleFailure.self) { try ConsoleServer.validate(host: "0.0.0.0", token: nil) }
        #expect(throws: ConsoleFailure.self) { try ConsoleServer.validate(host: "192.168.1.10", token: nil) }
        try ConsoleServer.validate(host: "0.0.0.0", token: "t")
        try ConsoleServer.validate(host: "127.0.0.1", token: nil)
        try ConsoleServer.validate(host: "::1", token: nil)
        #expect(!ConsoleOptions.isValidToken("has space") && !ConsoleOptions.isValidToken("") && ConsoleOptions.isValidToken("a-b.c_d~9"))
    }

    @Test(arguments: Backend.available)
    func theCommandRefusesToServeOpenlyWithoutAToken(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("console")
        try await ConsoleAPITests.seed(url)
        let open = try await ChildProcess.run("dbos-swift", ["console", "--database-url", url, "--host", "0.0.0.0", "--port", "0"])
        #expect(open.status == 64, "\(open.output)")
        #expect(open.stderr.contains("refusing to serve the console on 0.0.0.0 without --token"), "\(open.stderr)")
        let badToken = try await ChildProcess.run("dbos-swift", ["console", "--database-url", url, "--port", "0", "--token", "a b"])
        #expect(badToken.status == 64)
        #expect(badToken.stderr.contains("--token must be letters, digits and -._~ only"), "\(badToken.stderr)")
    }
}
