import DBOS
import Hummingbird

/// Turns the console's refusals and the library's errors about bad requests into 4xx pages
/// (JSON under `/api`), so bad input never shows as a 500.
struct FailureMiddleware<Context: RequestContext>: RouterMiddleware {
    let base: String
    let readOnly: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            guard let failure = Self.failure(for: error) else { throw error }
            if request.uri.path.hasPrefix(base + "/api/") || request.uri.path.hasPrefix(base + "/events") {
                return try Responses.json(["error": failure.message, "status": "\(failure.status.code)"], status: failure.status)
            }
            let body = """
                <p class="failure">\(HTML.escape(failure.message))</p>
                <p><a href="\(HTML.escape(base))/">Back to the workflows</a></p>
                """
            return Responses.html(PageLayout(base: base, readOnly: readOnly)
                .render(title: "\(failure.status.code) \(failure.status.reasonPhrase)", body: body), status: failure.status)
        }
    }

    /// The 4xx an error stands for, or nil for an error of the server itself.
    static func failure(for error: any Error) -> ConsoleFailure? {
        switch error {
        case let failure as ConsoleFailure:
            return failure
        case let error as DBOSError:
            switch error.code {
            case .nonexistentWorkflow: return ConsoleFailure(.notFound, error.message)
            case .invalidWorkflowState, .conflictingWorkflow: return ConsoleFailure(.conflict, error.message)
            case .invalidArgument: return ConsoleFailure(.badRequest, error.message)
            default: return nil
            }
        case let error as HTTPError:
            return ConsoleFailure(error.status, error.body ?? error.status.reasonPhrase)
        default:
            return nil
        }
    }
}
