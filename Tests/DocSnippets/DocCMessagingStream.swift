import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: messaging-stream
@Workflow func summarize(_ text: String) async throws -> Int {
    let words = text.split(separator: " ").map(String.init)
    for word in words {
        let token = try await DBOS.step("generateToken") { word.uppercased() }
        try await DBOS.write(token, toStream: "tokens")
    }
    try await DBOS.closeStream("tokens")
    return words.count
}

func printTokens(of workflowID: String, on dbos: DBOS) async throws {
    for try await token in dbos.stream("tokens", of: workflowID, as: String.self) {
        print(token)
    }
}
// end snippet
