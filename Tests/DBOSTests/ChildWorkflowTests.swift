import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

@Suite struct ChildWorkflowTests {
    @Test(arguments: Backend.available)
    func childrenGetDerivedIDsAndAreRecordedInTheParent(backend: Backend) async throws {
        let double = Workflow("double") { (value: Int) async throws -> Int in
            try await DBOS.step("multiply") { value * 2 }
        }
        // The parent needs the runtime to start children: it reads it from the running context.
        let parent = Workflow("parent") { (value: Int) async throws -> [Int] in
            let runtime = try #require(DBOS.currentRuntime)
            let direct = try await runtime.run(double, value)                       // start (op 1) + getResult (op 2)
            let handle = try await runtime.start(double, value + 1)                 // op 3
            let named = try await runtime.start(double, value + 2, options: WorkflowOptions(workflowID: "named-child"))  // op 4
            return [direct, try await handle.result(), try await named.result()]   // ops 5, 6
        }
        try await withRuntime(try await backend.freshDatabaseURL(), double, parent) { dbos in
            #expect(try await dbos.run(parent, 10, options: WorkflowOptions(workflowID: "p")) == [20, 22, 24])
            let steps = try await dbos.listSteps("p")
            #expect(steps.map(\.functionID) == [1, 2, 3, 4, 5, 6])
            #expect(steps.map(\.functionName) == ["double", "DBOS.getResult", "double", "double", "DBOS.getResult", "DBOS.getResult"])
            #expect(steps.map(\.childWorkflowID) == ["p-1", "p-1", "p-3", "named-child", "p-3", "named-child"])
            #expect(steps[1].output == "20")
            for child in ["p-1", "p-3", "named-child"] {
                let status = try #require(try await dbos.getWorkflowStatus(child))
                #expect(status.parentWorkflowID == "p")
                #expect(status.state == .success)
            }
            let children = try await dbos.listWorkflows(ListWorkflowsFilter(parentWorkflowID: "p"))
            #expect(Set(children.map(\.workflowID)) == ["p-1", "p-3", "named-child"])
        }
    }
}
