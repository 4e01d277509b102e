import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

struct PaymentDeclined: Error, Codable, Equatable {
    var reason: String
    var amount: Int
}

@Suite struct ErrorRoundTripTests {
    static let charge = Workflow("charge") { (amount: Int) async throws -> String in
        try await DBOS.step("authorize") { () async throws -> String in
            throw PaymentDeclined(reason: "insufficient funds", amount: amount)
        }
    }

    @Test(arguments: Backend.available)
    func stepErrorIsStoredPortablyAndRethrownTyped(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL()
        try await withRuntime(url, Self.charge) { dbos in
            dbos.registerError(PaymentDeclined.self)
            await #expect(throws: PaymentDeclined(reason: "insufficient funds", amount: 30)) {
                _ = try await dbos.run(Self.charge, 30, options: WorkflowOptions(workflowID: "pay-1"))
            }
            let status = try #require(try await dbos.getWorkflowStatus("pay-1"))
            #expect(status.state == .error)
            let stored = try #require(try status.decodedError())
            #expect(stored.name == "PaymentDeclined")
            #expect(stored.message.contains("insufficient funds"))
            #expect(stored.data == .object(["reason": .string("insufficient funds"), "amount": .number(30)]))
            // The step's own record holds the same portable error.
            let step = try #require(try await dbos.listSteps("pay-1").first)
            #expect(try PortableJSON.decode(WorkflowFailure.self, from: step.error ?? "", what: "step error").name == "PaymentDeclined")
        }
        // Another runtime (as another process would) gets the same typed error; one that did not
        // register the type gets the portable failure with the original name and message.
        try await withRuntime(url, applicationVersion: "other", Self.charge) { other in
            other.registerError(PaymentDeclined.self)
            let handle = try await other.retrieve("pay-1", as: String.self)
            await #expect(throws: PaymentDeclined(reason: "insufficient funds", amount: 30)) { _ = try await handle.result() }
        }
        try await withRuntime(url, applicationVersion: "third", Self.charge) { plain in
            do {
                _ = try await plain.retrieve("pay-1", as: String.self).result()
                Issue.record("expected an error")
            } catch let error as DBOSError where error.code == .workflowFailed {
                let failure = try #require(error.failure)
                #expect(failure.name == "PaymentDeclined")
                #expect(try failure.decode(as: PaymentDeclined.self).amount == 30)
            }
        }
    }

    @Test(arguments: Backend.available)
    func workflowBodyErrorIsStored(backend: Backend) async throws {
        let failing = Workflow("failing") { () async throws -> Int in
            struct Broken: Error, CustomStringConvertible { var description: String { "the body broke" } }
            throw Broken()
        }
        try await withRuntime(try await backend.freshDatabaseURL(), failing) { dbos in
            do {
                _ = try await dbos.run(failing, options: WorkflowOptions(workflowID: "broken"))
                Issue.record("expected an error")
            } catch let error as DBOSError where error.code == .workflowFailed {
                let failure = try #require(error.failure)
                #expect(failure.name == "Broken")
                #expect(failure.message == "the body broke")
            }
            let raw = try #require(try await dbos.getWorkflowStatus("broken")?.error)
            #expect(try JSONValue(parsing: raw) == .object(["name": .string("Broken"), "message": .string("the body broke")]))
        }
    }
}
