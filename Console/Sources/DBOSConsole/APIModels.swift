import DBOS
import Foundation

/// A workflow as the JSON API returns it (snake_case keys, ISO 8601 times).
struct WorkflowJSON: Encodable, Sendable {
    var workflowID: String
    var status: String
    var name: String
    var queueName: String?
    var executorID: String?
    var applicationVersion: String?
    var parentWorkflowID: String?
    var forkedFrom: String?
    var recoveryAttempts: Int
    var createdAt: Date
    var updatedAt: Date
    var startedAt: Date?
    var completedAt: Date?
    var input: String?
    var output: String?
    var error: String?

    enum CodingKeys: String, CodingKey {
        case workflowID = "workflow_id", status, name, queueName, executorID = "executor_id", applicationVersion
        case parentWorkflowID = "parent_workflow_id", forkedFrom, recoveryAttempts, createdAt, updatedAt, startedAt, completedAt
        case input, output, error
    }

    init(_ status: WorkflowStatus) {
        workflowID = status.workflowID
        self.status = status.state.rawValue
        name = status.name
        queueName = status.queueName
        executorID = status.executorID
        applicationVersion = status.applicationVersion
        parentWorkflowID = status.parentWorkflowID
        forkedFrom = status.forkedFrom
        recoveryAttempts = status.recoveryAttempts
        createdAt = status.createdAt
        updatedAt = status.updatedAt
        startedAt = status.startedAt
        completedAt = status.completedAt
        input = status.input
        output = status.output
        error = status.error
    }
}

/// A page of workflows: the rows and the cursor of the next page (`before=`), if any.
struct WorkflowListJSON: Encodable, Sendable {
    var workflows: [WorkflowJSON]
    var nextCursor: String?
}

/// A recorded step as the JSON API returns it.
struct StepJSON: Encodable, Sendable {
    var functionID: Int
    var functionName: String
    var output: String?
    var error: String?
    var childWorkflowID: String?
    var startedAt: Date?
    var completedAt: Date?

    enum CodingKeys: String, CodingKey {
        case functionID = "function_id", functionName, output, error, childWorkflowID = "child_workflow_id", startedAt, completedAt
    }

    init(_ step: StepRecord) {
        functionID = step.functionID
        functionName = step.functionName
        output = step.output
        error = step.error
        childWorkflowID = step.childWorkflowID
        startedAt = step.startedAt
        completedAt = step.completedAt
    }
}

/// What an action did: the workflow's status after it, and a fork's new ID.
struct ActionJSON: Encodable, Sendable {
    var action: String
    var workflowID: String
    var status: String?
    var newWorkflowID: String?

    enum CodingKeys: String, CodingKey {
        case action, workflowID = "workflow_id", status, newWorkflowID = "new_workflow_id"
    }
}

/// A queue as the JSON API returns it: its load and its registered limits (nil: unlimited or
/// not registered).
struct QueueJSON: Encodable, Sendable {
    var name: String
    var enqueued: Int
    var running: Int
    var oldestEnqueuedAt: Date?
    /// Seconds since the oldest waiting workflow was enqueued.
    var oldestEnqueuedAge: Double?
    var registered: Bool
    var concurrency: Int?
    var workerConcurrency: Int?
    var rateLimitMax: Int?
    var rateLimitPeriodSec: Double?

    init(_ queue: QueueStatistics, now: Date) {
        name = queue.name
        enqueued = queue.enqueued
        running = queue.running
        oldestEnqueuedAt = queue.oldestEnqueuedAt
        oldestEnqueuedAge = queue.oldestEnqueuedAt.map { max(now.timeIntervalSince($0), 0) }
        registered = queue.limits != nil
        concurrency = queue.limits?.concurrency
        workerConcurrency = queue.limits?.workerConcurrency
        rateLimitMax = queue.limits?.rateLimitMax
        rateLimitPeriodSec = queue.limits?.rateLimitPeriodSeconds
    }
}

/// A stored schedule as the JSON API returns it.
struct ScheduleJSON: Encodable, Sendable {
    var name: String
    var workflowName: String
    var cron: String
    var status: String
    var lastFiredAt: String?
    var queueName: String?
    var timeZone: String?

    init(_ schedule: ScheduleInfo) {
        name = schedule.name
        workflowName = schedule.workflowName
        cron = schedule.cron
        status = schedule.status
        lastFiredAt = schedule.lastFiredAt
        queueName = schedule.queueName
        timeZone = schedule.timeZone
    }
}
