import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

@Suite struct DurableTimeTests {
    @Test(arguments: Backend.available)
    func nowRandomAndUUIDAreCheckpointed(backend: Backend) async throws {
        struct Draws: Codable, Equatable { var time: Date; var number: Int; var id: UUID }
        let url = try await backend.freshDatabaseURL()
        let draw = Workflow("draw") { () async throws -> Draws in
            let draws = Draws(time: try await DBOS.now(), number: try await DBOS.random(in: 0...1_000_000), id: try await DBOS.uuid())
            try await DBOS.sleep(for: .seconds(30))
            return draws
        }
        let first = try await launchRuntime(url, draw)
        _ = try await first.start(draw, options: WorkflowOptions(workflowID: "draw-1"))
        try await eventually("the draws to be recorded") { try await first.listSteps("draw-1").count == 4 }
        let recorded = try await first.listSteps("draw-1")
        #expect(recorded.map(\.functionName) == ["DBOS.now", "DBOS.random", "DBOS.uuid", "DBOS.sleep"])
        await first.shutdown()
        // Pretend the sleep is over, then recover: the draws come back identical.
        let client = try await DBOSClient(databaseURL: url)
        let now = String(Date().timeIntervalSince1970)
        _ = try await client.rawSQL("UPDATE dbos.operation_outputs SET output = \(now) WHERE workflow_uuid = 'draw-1' AND function_name = 'DBOS.sleep'")
        await client.close()
        let second = try await launchRuntime(url, draw)
        let draws = try await second.retrieve("draw-1", as: Draws.self).result()
        #expect(try PortableJSON.encode(draws.time) == recorded[0].output)
        #expect(String(draws.number) == recorded[1].output)
        #expect("\"\(draws.id.uuidString.lowercased())\"" == recorded[2].output)
        await second.shutdown()
    }
}
