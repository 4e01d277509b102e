import DBOSTestSupport
import DBOSTesting
import Foundation
import Testing
@testable import DBOS

@Suite struct MessagingTests {
    static let inbox = Workflow("inbox") { (count: Int, topic: String?) async throws -> [String] in
        var received: [String] = []
        for _ in 0..<count {
            guard let message = try await DBOS.receive(String.self, topic: topic, timeout: .seconds(20)) else { break }
            received.append(message)
        }
        return received
    }

    @Test(arguments: Backend.available)
    func sendAndReceiveInOrderPerTopic(backend: Backend) async throws {
        try await withRuntime(try await backend.freshDatabaseURL(), Self.inbox) { dbos in
            let plain = try await dbos.start(Self.inbox, 3, nil, options: WorkflowOptions(workflowID: "inbox-plain"))
            let topical = try await dbos.start(Self.inbox, 2, "orders", options: WorkflowOptions(workflowID: "inbox-topic"))
            for index in 1...3 { try await dbos.send("m\(index)", to: "inbox-plain") }
            try await dbos.send("o1", to: "inbox-topic", topic: "orders")
            try await dbos.send("ignored", to: "inbox-topic", topic: "other")
            try await dbos.send("o2", to: "inbox-topic", topic: "orders")
            #expect(try await plain.result() == ["m1", "m2", "m3"])
            #expect(try await topical.result() == ["o1", "o2"])
            let steps = try await dbos.listSteps("inbox-topic")
            #expect(steps.map(\.functionName) == ["DBOS.recv", "DBOS.sleep", "DBOS.recv", "DBOS.sleep"])
            #expect(steps.filter { $0.functionName == "DBOS.recv" }.map(\.output) == [#""o1""#, #""o2""#])
            let leftover = try await dbos.rawSQL("SELECT message FROM dbos.notifications WHERE destination_uuid = 'inbox-topic' AND consumed = \(false)")
            #expect(leftover.map { $0.string("message") } == [#""ignored""#])
        }
    }

    @Test(arguments: Backend.available)
    func recvTimesOutWithNil(backend: Backend) async throws {
        let waiter = Workflow("waiter") { () async throws -> String in
            let message = try await DBOS.receive(String.self, timeout: .seconds(300))
            return message ?? "timed out"
        }
        try await withTestRuntime(database: .url(try await backend.freshDatabaseURL()), register: { try $0.register(waiter) }) { runtime in
            let dbos = runtime.dbos
            let handle = try await dbos.start(waiter, options: WorkflowOptions(workflowID: "w"))
            await runtime.clock.waitForSleepers()
            await runtime.advance(by: .seconds(300))
            #expect(try await handle.result() == "timed out")
            let steps = try await dbos.listSteps("w")
            #expect(steps.map(\.functionName) == ["DBOS.recv", "DBOS.sleep"])
            #expect(steps.map(\.functionID) == [1, 2])
            #expect(steps.first { $0.functionName == "DBOS.recv" }?.output == "null")
        }
    }

    @Test(arguments: Backend.available)
    func concurrentSendersEachMessageConsumedOnce(backend: Backend) async throws {
        try await withRuntime(try await backend.freshDatabaseURL(), Self.inbox) { dbos in
            let handle = try await dbos.start(Self.inbox, 60, nil, options: WorkflowOptions(workflowID: "busy"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for sender in 0..<6 {
                    group.addTask {
                        for index in 0..<10 { try await dbos.send("s\(sender)-\(index)", to: "busy") }
                    }
                }
                try await group.waitForAll()
            }
            let received = try await handle.result()
            #expect(received.count == 60)
            #expect(Set(received).count == 60)
            for sender in 0..<6 {   // each sender's messages arrive in its order
                let mine = received.filter { $0.hasPrefix("s\(sender)-") }
                #expect(mine == (0..<10).map { "s\(sender)-\($0)" })
            }
        }
    }

    @Test(arguments: Backend.available)
    func sendErrorsAndIdempotency(backend: Backend) async throws {
        try await withRuntime(try await backend.freshDatabaseURL(), Self.inbox) { dbos in
            await #expect(throws: DBOSError.nonexistentWorkflow(workflowID: "nobody")) {
                try await dbos.send("hello", to: "nobody")
            }
            let handle = try await dbos.start(Self.inbox, 2, nil, options: WorkflowOptions(workflowID: "dedup"))
            try await dbos.send("once", to: "dedup", idempotencyKey: "k1")
            try await dbos.send("once", to: "dedup", idempotencyKey: "k1")
            try await dbos.send("twice", to: "dedup")
            #expect(try await handle.result() == ["once", "twice"])
        }
    }

    /// The sender crashes right after its send is recorded; the recovered sender replays the
    /// send instead of sending again.
    @Test(arguments: Backend.available)
    func sendFromAWorkflowIsNotRepeatedOnReplay(backend: Backend) async throws {
        let sender = Workflow("sender") { (target: String) async throws -> String in
            try await DBOS.send("ping", to: target)
            return "sent"
        }
        try await withTestRuntime(database: .url(try await backend.freshDatabaseURL()), register: { try $0.register(Self.inbox, sender) }) { runtime in
            _ = try await runtime.dbos.start(Self.inbox, 2, nil, options: WorkflowOptions(workflowID: "target"))
            runtime.crash(afterStep: 1, of: "sender-1")
            _ = try await runtime.dbos.start(sender, "target", options: WorkflowOptions(workflowID: "sender-1"))
            await runtime.waitForCrash()
            #expect(try await runtime.restart().recovered.contains("sender-1"))
            #expect(try await runtime.dbos.retrieve("sender-1", as: String.self).result() == "sent")
            let rows = try await runtime.dbos.rawSQL("SELECT count(*) AS n FROM dbos.notifications WHERE destination_uuid = 'target'")
            #expect(rows.first?.int("n") == 1)
        }
    }

    @Test(arguments: Backend.available)
    func eventsLatestValueHistoryAndTimeout(backend: Backend) async throws {
        let publisher = Workflow("publisher") { () async throws -> Int in
            try await DBOS.setEvent("progress", to: 1)
            try await DBOS.setEvent("progress", to: 2)
            _ = try await DBOS.receive(String.self, topic: "go", timeout: .seconds(20))
            try await DBOS.setEvent("done", to: true)
            return 0
        }
        let url = try await backend.freshDatabaseURL()
        try await withRuntime(url, publisher) { dbos in
            let handle = try await dbos.start(publisher, options: WorkflowOptions(workflowID: "pub"))
            try await eventually("progress 2") { try await dbos.event("progress", of: "pub", as: Int.self, timeout: .zero) == 2 }
            #expect(try await dbos.event("done", of: "pub", as: Bool.self, timeout: .milliseconds(200)) == nil)
            // A waiter in another runtime (as another process) is woken when the event is set.
            let other = try await launchRuntime(url, applicationVersion: "reader", publisher)
            async let done = other.event("done", of: "pub", as: Bool.self, timeout: .seconds(20))
            try await dbos.send("go", to: "pub", topic: "go")
            #expect(try await done == true)
            await other.shutdown()
            _ = try await handle.result()
            let history = try await dbos.rawSQL("SELECT function_id, value FROM dbos.workflow_events_history WHERE workflow_uuid = 'pub' ORDER BY function_id")
            #expect(history.map { $0.string("value") } == ["1", "2", "true"])
        }
    }

    @Test(arguments: Backend.available)
    func getEventInsideAWorkflowIsCheckpointed(backend: Backend) async throws {
        let publisher = Workflow("pub2") { () async throws -> Int in
            try await DBOS.setEvent("answer", to: 42)
            return 1
        }
        let reader = Workflow("reader") { (target: String) async throws -> Int? in
            try await DBOS.event("answer", of: target, as: Int.self, timeout: .seconds(20))
        }
        try await withRuntime(try await backend.freshDatabaseURL(), publisher, reader) { dbos in
            _ = try await dbos.run(publisher, options: WorkflowOptions(workflowID: "p2"))
            #expect(try await dbos.run(reader, "p2", options: WorkflowOptions(workflowID: "r2")) == 42)
            let steps = try await dbos.listSteps("r2")
            #expect(steps.map(\.functionName) == ["DBOS.getEvent", "DBOS.sleep"])
            #expect(steps.first?.output == "42")
        }
    }

    @Test(arguments: Backend.available)
    func streamsDeliverInOrderToEarlyAndLateReaders(backend: Backend) async throws {
        let producer = Workflow("producer") { (count: Int) async throws -> Int in
            for index in 0..<count {
                try await DBOS.write("t\(index)", toStream: "tokens")
                if index == 1 { _ = try await DBOS.receive(String.self, topic: "continue", timeout: .seconds(20)) }
            }
            try await DBOS.closeStream("tokens")
            return count
        }
        let url = try await backend.freshDatabaseURL()
        try await withRuntime(url, producer) { dbos in
            // The early reader attaches while the workflow still writes (a stream of a workflow that
            // does not exist yet is an error, as in DBOS).
            let handle = try await dbos.start(producer, 4, options: WorkflowOptions(workflowID: "stream-1"))
            let early = dbos.stream("tokens", of: "stream-1", as: String.self)
            let earlyTask = Task { var all: [String] = []; for try await value in early { all.append(value) }; return all }
            try await eventually("two values") { try await dbos.listSteps("stream-1").count >= 2 }
            // A reader that reconnects after two values, while the workflow still writes, reads on
            // from offset 2, through a client as well.
            let client = try await DBOSClient(databaseURL: url)
            let resumed = client.stream("tokens", of: "stream-1", as: String.self, from: 2)
            let resumedTask = Task { var all: [String] = []; for try await value in resumed { all.append(value) }; return all }
            try await dbos.send("go", to: "stream-1", topic: "continue")
            #expect(try await handle.result() == 4)
            #expect(try await earlyTask.value == ["t0", "t1", "t2", "t3"])
            #expect(try await resumedTask.value == ["t2", "t3"])
            await client.close()
            var late: [String] = []
            for try await value in dbos.stream("tokens", of: "stream-1", as: String.self) { late.append(value) }
            #expect(late == ["t0", "t1", "t2", "t3"])
            var fromThree: [String] = []
            for try await value in dbos.stream("tokens", of: "stream-1", as: String.self, from: 3) { fromThree.append(value) }
            #expect(fromThree == ["t3"])
            var pastTheEnd: [String] = []
            for try await value in dbos.stream("tokens", of: "stream-1", as: String.self, from: 9) { pastTheEnd.append(value) }
            #expect(pastTheEnd.isEmpty)
            let negative = await #expect(throws: DBOSError.self) {
                for try await _ in dbos.stream("tokens", of: "stream-1", as: String.self, from: -1) {}
            }
            #expect(negative?.code == .invalidArgument)
            let rows = try await dbos.rawSQL(#"SELECT "offset", value FROM dbos.streams WHERE workflow_uuid = 'stream-1' ORDER BY "offset""#)
            #expect(rows.map { $0.string("value") } == [#""t0""#, #""t1""#, #""t2""#, #""t3""#, #""__DBOS_STREAM_CLOSED__""#])
        }
    }

    /// DBOS 3.4's `send_bulk`: several messages in one transaction, all or none; inside a
    /// workflow one recorded operation that a replay does not repeat.
    @Test(arguments: Backend.available)
    func bulkSendsAreAllOrNoneAndRecordedOnce(backend: Backend) async throws {
        let collector = Workflow("collector") { (count: Int) async throws -> [String] in
            var got: [String] = []
            for _ in 0..<count { got.append(try await DBOS.receive(String.self, topic: "t", timeout: .seconds(60)) ?? "none") }
            return got
        }
        let broadcaster = Workflow("broadcaster") { () async throws -> String in
            try await DBOS.sendBulk([BulkMessage("from-a", to: "box-1", topic: "t"), BulkMessage("from-b", to: "box-2", topic: "t")])
            return try await DBOS.step("after") { "sent" }
        }
        let url = try await backend.freshDatabaseURL("bulk")
        try await withRuntime(url, collector, broadcaster) { dbos in
            let first = try await dbos.start(collector, 3, options: WorkflowOptions(workflowID: "box-1"))
            let second = try await dbos.start(collector, 2, options: WorkflowOptions(workflowID: "box-2"))
            try await dbos.sendBulk([BulkMessage("one", to: "box-1", topic: "t"), BulkMessage("two", to: "box-1", topic: "t"),
                                     BulkMessage("x", to: "box-2", topic: "t", idempotencyKey: "k")])

            // A destination that does not exist: nothing is sent, and the error names it.
            let missing = await #expect(throws: DBOSError.self) {
                try await dbos.sendBulk([BulkMessage("lost", to: "box-2", topic: "t"), BulkMessage("lost", to: "nobody", topic: "t")])
            }
            #expect(missing?.code == .nonexistentWorkflow && missing?.workflowID == "nobody", "\(String(describing: missing))")
            let repeated = await #expect(throws: DBOSError.self) {
                try await dbos.sendBulk([BulkMessage("a", to: "box-1", idempotencyKey: "same"), BulkMessage("b", to: "box-2", idempotencyKey: "same")])
            }
            #expect(repeated?.code == .invalidArgument)

            #expect(try await dbos.run(broadcaster, options: WorkflowOptions(workflowID: "caster")) == "sent")
            #expect(try await first.result() == ["one", "two", "from-a"])
            #expect(try await second.result() == ["x", "from-b"])
            #expect(try await dbos.listSteps("caster").map(\.functionName) == ["DBOS.send_bulk", "after"])
            let replay = try await dbos.retrieve("caster", as: String.self).fork(fromStep: 2)
            #expect(try await replay.result() == "sent")
            let client = try await DBOSClient(databaseURL: url)
            try await client.sendBulk([BulkMessage("late", to: "box-2", topic: "t")])
            await client.close()
            let rows = try await dbos.rawSQL("SELECT destination_uuid, message FROM dbos.notifications ORDER BY created_at_epoch_ms, message")
            #expect(rows.map { "\($0.string("destination_uuid") ?? "")=\($0.string("message") ?? "")" }
                    == [#"box-1="one""#, #"box-1="two""#, #"box-2="x""#, #"box-1="from-a""#, #"box-2="from-b""#, #"box-2="late""#],
                    "the failed bulk sent nothing, and the replay sent nothing again")
        }
    }

    @Test(arguments: Backend.available)
    func aMessageInAForeignFormatFailsItsReceiveWithoutBlockingTheTopic(backend: Backend) async throws {
        let reader = Workflow("foreignReader") { () async throws -> String in
            var seen: [String] = []
            for _ in 0..<2 {
                do {
                    seen.append(try await DBOS.receive(String.self, timeout: .seconds(60)) ?? "nil")
                } catch let error as DBOSError where error.code == .unsupportedSerialization {
                    seen.append("unreadable: \(error.message)")
                }
            }
            return seen.joined(separator: " | ")
        }
        try await withRuntime(try await backend.freshDatabaseURL(), reader) { dbos in
            let handle = try await dbos.start(reader, options: WorkflowOptions(workflowID: "foreign"))
            _ = try await dbos.rawSQL("""
                INSERT INTO dbos.notifications (message_uuid, destination_uuid, topic, message, created_at_epoch_ms, serialization)
                VALUES ('m-pickle', 'foreign', '__null__topic__', 'gASVBQAAAAAAAACMAWiULg==', 1, 'py_pickle')
                """)
            try await dbos.send("wake up", to: "foreign")   // a portable message behind it
            let seen = try await handle.result()
            #expect(seen.hasPrefix("unreadable: "), "the first receive fails: \(seen)")
            #expect(seen.contains("serialization format 'py_pickle'") && seen.contains("message 'm-pickle' on topic '__null__topic__'"))
            #expect(seen.hasSuffix(" | wake up"), "the message behind it is received")
            let pickled = try await dbos.rawSQL("SELECT consumed FROM dbos.notifications WHERE message_uuid = 'm-pickle'")
            #expect(pickled.first?.bool("consumed") == true)

            // A replay (a fork past both receives) meets the same recorded error and message.
            let replayed = try await dbos.retrieve(try await dbos.fork("foreign", fromStep: 5), as: String.self).result()
            #expect(replayed == seen)
        }
    }
}
