import DBOS

/// The workflows the console tests run.
enum TestWorkflows {
    struct Boom: Error, Codable {}

    /// Two steps: upper-cases its input and adds `!`.
    static let greet = Workflow("consoleGreet") { (name: String) async throws -> String in
        let upper = try await DBOS.step("upper") { name.uppercased() }
        return try await DBOS.step("exclaim") { upper + "!" }
    }

    /// Fails at once.
    static let fail = Workflow("consoleFail") { () async throws -> String in
        throw Boom()
    }

    /// Steps one and two, then waits up to an hour for a "go" message, then step three.
    static let waiter = Workflow("consoleWaiter") { () async throws -> String in
        _ = try await DBOS.step("one") { 1 }
        _ = try await DBOS.step("two") { 2 }
        _ = try await DBOS.receive(String.self, topic: "go", timeout: .seconds(3600))
        _ = try await DBOS.step("three") { 3 }
        return "done"
    }

    /// Sets two events (one twice) and writes a closed stream and an open one.
    static let publisher = Workflow("consolePublisher") { () async throws -> String in
        try await DBOS.setEvent("status", to: "starting")
        try await DBOS.setEvent("status", to: "<done>")
        try await DBOS.setEvent("progress", to: 100)
        for token in ["alpha", "beta"] { try await DBOS.write(token, toStream: "tokens") }
        try await DBOS.closeStream("tokens")
        try await DBOS.write(1, toStream: "open")
        return "published"
    }
}
