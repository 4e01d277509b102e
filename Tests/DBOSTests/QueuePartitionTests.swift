import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// Partitioned queues (per-partition limits), enqueue option checks and deduplication that
/// returns the existing workflow.
@Suite struct QueuePartitionTests {
    @Test(arguments: Backend.available)
    func partitionLimitsApplyPerPartitionKey(backend: Backend) async throws {
        let partitions = ["tenant-a", "tenant-b", "tenant-c"]
        let probes = Dictionary(uniqueKeysWithValues: partitions.map { ($0, ConcurrencyProbe()) })
        let overall = ConcurrencyProbe()
        let work = Workflow("partitionWork") { (partition: String, label: String) async throws -> String in
            try await DBOS.step("body") {
                probes[partition]!.enter(label)
                overall.enter(label)
                defer { probes[partition]!.leave(); overall.leave() }
                // Wait until one workflow of every partition runs: the per-partition limit must not stop
                // the other partitions. The bound only ends a wrong run (one budget for all partitions);
                // a right one returns as soon as the three overlap, however loaded the machine.
                let deadline = ContinuousClock.now + .seconds(60)
                while overall.peak < partitions.count && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
                return label
            }
        }
        let queue = Queue("tenants", workerConcurrency: 6, partitionConcurrency: 1, pollingInterval: .milliseconds(50))
        #expect(queue.isPartitioned)
        let dbos = try DBOS(config: DBOSConfig(name: "q", systemDatabaseURL: try await backend.freshDatabaseURL(), applicationVersion: "v"))
        try dbos.register(work)
        try dbos.register(queues: queue)
        try await dbos.launch()
        var handles: [WorkflowHandle<String>] = []
        for index in 0..<3 {
            for partition in partitions {
                handles.append(try await dbos.enqueue(work, partition, "\(partition)-\(index)", on: queue,
                                                      options: EnqueueOptions(partitionKey: partition)))
            }
        }
        for handle in handles { _ = try await handle.result() }
        for partition in partitions {
            #expect(probes[partition]!.peak == 1, "partition \(partition) ran more than one at once")
            #expect(probes[partition]!.order == (0..<3).map { "\(partition)-\($0)" }, "FIFO within the partition")
        }
        #expect(overall.peak == 3, "each partition had its own budget")
        let keys = try await dbos.rawSQL("SELECT DISTINCT queue_partition_key FROM dbos.workflow_status WHERE queue_name = 'tenants'")
        #expect(Set(keys.compactMap { $0.string("queue_partition_key") }) == Set(partitions))
        let row = try #require(try await dbos.rawSQL("SELECT partition_queue, partition_concurrency FROM dbos.queues WHERE name = 'tenants'").first)
        #expect(row.bool("partition_queue") == true && row.int("partition_concurrency") == 1)
        await dbos.shutdown()
    }

    @Test(arguments: Backend.available)
    func partitionWorkerConcurrencyAndPartitionRateLimit(backend: Backend) async throws {
        let probe = ConcurrencyProbe()
        let work = QueueTests.work(probe, pause: .milliseconds(30), company: 2)
        let queue = Queue("per-tenant", partitionWorkerConcurrency: 2, partitionRateLimit: RateLimit(limit: 2, period: .seconds(1)),
                          pollingInterval: .milliseconds(50))
        let dbos = try DBOS(config: DBOSConfig(name: "q", systemDatabaseURL: try await backend.freshDatabaseURL(), applicationVersion: "v"))
        try dbos.register(work)
        try dbos.register(queues: queue)
        try await dbos.launch()
        var handles: [WorkflowHandle<String>] = []
        for index in 0..<4 {
            handles.append(try await dbos.enqueue(work, "p\(index)", on: queue, options: EnqueueOptions(partitionKey: "only")))
        }
        for handle in handles { _ = try await handle.result() }
        #expect(probe.peak == 2)
        let rows = try await dbos.rawSQL("SELECT started_at_epoch_ms FROM dbos.workflow_status WHERE queue_name = 'per-tenant'")
        let starts = rows.compactMap { $0.int("started_at_epoch_ms") }.sorted()
        #expect(starts.count == 4)
        for (index, start) in starts.enumerated() {
            #expect(starts[index...].prefix { $0 - start < 1000 }.count <= 2, "more than 2 starts of the partition within 1 s")
        }
        await dbos.shutdown()
    }

    @Test(arguments: Backend.available)
    func badQueueSettingsAndEnqueueOptionsAreRejected(backend: Backend) async throws {
        let work = Workflow("checked") { (text: String) async throws -> String in text }
        let partitioned = Queue("needs-keys", partitionConcurrency: 2)
        let plain = Queue("plain")
        let dbos = try DBOS(config: DBOSConfig(name: "q", systemDatabaseURL: try await backend.freshDatabaseURL(), applicationVersion: "v"))
        try dbos.register(work)
        #expect(throws: DBOSError.invalidArgument("queue 'zero': workerConcurrency must be at least 1, got 0")) {
            try dbos.register(queues: Queue("zero", workerConcurrency: 0))
        }
        #expect(throws: DBOSError.invalidArgument("queue 'no-rate': rateLimit needs a limit of at least 1 and a positive period")) {
            try dbos.register(queues: Queue("no-rate", rateLimit: RateLimit(limit: 5, period: .zero)))
        }
        // As DBOS 3.4: no limit above the one it lives under.
        #expect(throws: DBOSError.invalidArgument("queue 'wide': partitionConcurrency (5) must not be greater than concurrency (2)")) {
            try dbos.register(queues: Queue("wide", concurrency: 2, partitionConcurrency: 5))
        }
        #expect(throws: DBOSError.invalidArgument("queue 'local': workerConcurrency (3) must not be greater than concurrency (2)")) {
            try dbos.register(queues: Queue("local", workerConcurrency: 3, concurrency: 2))
        }
        #expect(throws: DBOSError.invalidArgument(
            "queue 'per-key': partitionWorkerConcurrency (4) must not be greater than partitionConcurrency (2)")) {
            try dbos.register(queues: Queue("per-key", partitionConcurrency: 2, partitionWorkerConcurrency: 4))
        }
        try dbos.register(queues: partitioned, plain)
        try await dbos.launch()
        await #expect(throws: DBOSError.invalidArgument(
            "queue 'plain' is not partitioned: enqueueing 'checked' with partition key 'k' would never run")) {
            _ = try await dbos.enqueue(work, "x", on: plain, options: EnqueueOptions(partitionKey: "k"))
        }
        await #expect(throws: DBOSError.invalidArgument("enqueueing 'checked' on queue 'plain': priority -1 is out of range 0...2147483647")) {
            _ = try await dbos.enqueue(work, "x", on: plain, options: EnqueueOptions(priority: -1))
        }
        await #expect(throws: DBOSError.invalidArgument(
            "enqueueing 'checked' on queue 'plain': onDuplicate .returnExisting needs a deduplicationID")) {
            _ = try await dbos.enqueue(work, "x", on: plain, options: EnqueueOptions(onDuplicate: .returnExisting))
        }
        let client = try await DBOSClient(databaseURL: dbos.config.systemDatabaseURL!)
        await #expect(throws: DBOSError.invalidArgument("enqueueing 'checked' on queue 'plain': priority 2147483648 is out of range 0...2147483647")) {
            _ = try await client.enqueue(workflowName: "checked", queue: "plain", "x", options: EnqueueOptions(priority: 1 << 31))
        }
        await client.close()
        await #expect(throws: DBOSError.invalidArgument(
            "queue 'needs-keys' is partitioned: enqueueing 'checked' needs EnqueueOptions.partitionKey")) {
            _ = try await dbos.enqueue(work, "x", on: partitioned)
        }
        await #expect(throws: DBOSError.invalidArgument(
            "enqueueing 'checked' on queue 'needs-keys': a partition key and a deduplication ID cannot be combined")) {
            _ = try await dbos.enqueue(work, "x", on: partitioned, options: EnqueueOptions(deduplicationID: "d", partitionKey: "k"))
        }
        #expect(try await dbos.listWorkflows(ListWorkflowsFilter(name: "checked")).isEmpty, "nothing was enqueued")
        #expect(try await dbos.enqueue(work, "ok", on: partitioned, options: EnqueueOptions(partitionKey: "k")).result() == "ok")
        await dbos.shutdown()
    }

    @Test(arguments: Backend.available)
    func aDuplicateCanReturnTheExistingWorkflow(backend: Backend) async throws {
        let gate = Workflow("held") { (label: String) async throws -> String in
            _ = try await DBOS.receive(String.self, topic: "go", timeout: .seconds(20))
            return label
        }
        let queue = Queue("dedup-existing")
        let url = try await backend.freshDatabaseURL()
        let dbos = try DBOS(config: DBOSConfig(name: "q", systemDatabaseURL: url, applicationVersion: "v"))
        try dbos.register(gate)
        try dbos.register(queues: queue)
        try await dbos.launch()
        let first = try await dbos.enqueue(gate, "first", on: queue, options: EnqueueOptions(workflowID: "held-1", deduplicationID: "job"))
        let again = try await dbos.enqueue(gate, "second", on: queue,
                                           options: EnqueueOptions(workflowID: "held-2", deduplicationID: "job", onDuplicate: .returnExisting))
        #expect(again.workflowID == "held-1")
        let client = try await DBOSClient(databaseURL: url)
        let fromClient = try await client.enqueue(workflowName: "held", queue: "dedup-existing", "third",
                                                  options: EnqueueOptions(deduplicationID: "job", onDuplicate: .returnExisting))
        #expect(fromClient == "held-1")
        await #expect(throws: DBOSError.queueDeduplicated(queue: "dedup-existing", deduplicationID: "job")) {
            _ = try await client.enqueue(workflowName: "held", queue: "dedup-existing", "fourth", options: EnqueueOptions(deduplicationID: "job"))
        }
        try await dbos.send("go", to: "held-1", topic: "go")
        #expect(try await first.result() == "first")
        #expect(try await dbos.listWorkflows(ListWorkflowsFilter(name: "held")).map(\.workflowID) == ["held-1"])
        await client.close()
        await dbos.shutdown()
    }
}
