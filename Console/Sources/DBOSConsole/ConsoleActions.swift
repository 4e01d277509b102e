import DBOS
import Hummingbird
import Logging
import NIOCore

/// `POST /api/workflows/{id}/{cancel|resume|fork|delete}`: the console's actions, each logged
/// with who asked (the token's presence and the remote address).
struct ConsoleActions: Sendable {
    let client: DBOSClient
    let readOnly: Bool
    let tokenSet: Bool
    let logger: Logger

    /// The header every action must carry (see ``WebConsole``).
    static let requiredHeader = "X-DBOS-Console"

    static func remoteAddress(of context: some RequestContext) -> String {
        guard let address = (context as? any RemoteAddressRequestContext)?.remoteAddress else { return "unknown" }
        return address.ipAddress ?? address.description
    }

    func perform(_ action: String, on workflowID: String, request: Request, remote: String) async throws -> Response {
        guard !readOnly else { throw ConsoleFailure(.forbidden, "this console is read-only") }
        guard Responses.header(Self.requiredHeader, of: request) == "1" else {
            throw ConsoleFailure(.forbidden, "actions need the header \(Self.requiredHeader): 1")
        }
        guard ["cancel", "resume", "fork", "delete"].contains(action) else {
            throw ConsoleFailure.notFound("unknown action '\(action)' (cancel, resume, fork or delete)")
        }
        guard let current = try await client.getWorkflowStatus(workflowID) else {
            throw ConsoleFailure.notFound("workflow '\(workflowID)' does not exist")
        }
        var logger = logger
        logger[metadataKey: "console.action"] = "\(action)"
        logger[metadataKey: "workflow.id"] = "\(workflowID)"
        logger[metadataKey: "console.remote"] = "\(remote)"
        logger[metadataKey: "console.authenticated"] = "\(tokenSet ? "token" : "no token configured")"
        var result = ActionJSON(action: action, workflowID: workflowID)
        switch action {
        case "cancel":
            try await client.cancel(workflowID)
        case "resume":
            // The library leaves a finished workflow as it is (as DBOS does); a person who
            // pressed Resume is told why nothing happened.
            guard current.state != .success && current.state != .error else {
                throw ConsoleFailure(.conflict, "cannot resume workflow '\(workflowID)': its status is \(current.state.rawValue)")
            }
            try await client.resume(workflowID)
        case "fork":
            let parameters = QueryString.parse(request.uri.query)
            guard let text = parameters["step"]?.last, let step = Int(text) else {
                throw ConsoleFailure.badRequest("fork needs ?step=<step ID>")
            }
            let recorded = try await client.listSteps(workflowID).map(\.functionID)
            guard recorded.contains(step) else {
                throw ConsoleFailure.badRequest("workflow '\(workflowID)' has no step \(step) (its steps: \(recorded.map(String.init).joined(separator: ", ")))")
            }
            logger[metadataKey: "console.fork_step"] = "\(step)"
            result.newWorkflowID = try await client.fork(workflowID, fromStep: step)
        default:
            try await client.delete(workflowID)
        }
        if action != "delete" { result.status = try await client.getWorkflowStatus(workflowID)?.state.rawValue }
        logger.notice("console action", metadata: result.newWorkflowID.map { ["console.new_workflow_id": "\($0)"] })
        return try Responses.json(result)
    }
}
