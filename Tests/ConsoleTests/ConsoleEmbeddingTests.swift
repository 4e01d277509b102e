import DBOS
import DBOSConsole
import DBOSTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The console embedded in an application's own Hummingbird router, under `/console`: its
/// routes and links live under the base path, its token guards them only, and the
/// application's routes answer as before.
@Suite(.timeLimit(.minutes(5))) struct ConsoleEmbeddingTests {
    @Test(arguments: Backend.available)
    func mountedUnderABasePathNextToTheApplicationsRoutes(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("console")
        try await ConsoleAPITests.seed(url)
        let client = try await DBOSClient(databaseURL: url)
        do {
            let router = Router(context: BasicRequestContext.self)
            router.get("/health") { _, _ in "ok" }
            let console = try WebConsole(client: client, options: ConsoleOptions(token: "embed-token", basePath: "/console"))
            console.addRoutes(to: router)
            let app = Application(router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
                                  logger: Logger(label: "embedding-test"))
            try await app.test(.live) { http in
                #expect(try await http.fetch("/health").body == "ok")
                #expect(try await http.fetch("/console/").status == .unauthorized)
                let auth: HTTPFields = [.authorization: "Bearer embed-token"]
                let list = try await http.fetch("/console/", headers: auth)
                #expect(list.status == .ok)
                #expect(list.body.contains("href=\"/console/workflows/api-1\""), "\(list.body)")
                #expect(list.body.contains("/console/static/console.js"))
                let page = try await http.fetch("/console/workflows/api-1", headers: auth)
                #expect(page.status == .ok && page.body.contains("class=\"timeline"))
                #expect(try await http.fetch("/console/api/workflows/nope", headers: auth).status == .notFound)
                #expect(try await http.fetch("/workflows/api-1", headers: auth).status == .notFound)
            }
            await client.close()
        } catch {
            await client.close()
            throw error
        }
    }
}
