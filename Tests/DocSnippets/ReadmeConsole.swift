// snippet: readme-console
// Package.swift: .package(path: "../dbos-transact-swift/Console"), then .product(name: "DBOSConsole", package: "dbos-console")
import DBOSConsole
// end snippet
import DBOS
import Hummingbird

func readmeConsole(url: String, token: String, router: Router<BasicRequestContext>) async throws {
    // snippet: readme-console
    let client = try await DBOSClient(databaseURL: url)
    let console = try WebConsole(client: client, options: ConsoleOptions(token: token, basePath: "/console"))
    console.addRoutes(to: router)   // any Router<Context>; its token check applies to /console/... only
    // end snippet
}
