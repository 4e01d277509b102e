public import DBOS
public import Hummingbird
public import Logging
import Foundation

/// The DBOS web console: HTML pages, a JSON API, live status updates and Prometheus metrics
/// over a system database, as Hummingbird routes.
///
/// Add it to your own Hummingbird application with ``addRoutes(to:)`` (under
/// ``ConsoleOptions/basePath``), or serve it alone with `dbos-swift console`.
///
/// Routes (below the base path): `/` workflows, `/workflows/{id}`, `/queues`, `/events` (server-
/// sent events), `/metrics`, `/api/workflows`, `/api/workflows/{id}` and its `/steps`, `/events`
/// and `/streams`, `/api/queues`, `/api/schedules`, and `POST /api/workflows/{id}/{cancel|resume|fork|delete}` (not in read-only mode).
///
/// With a ``ConsoleOptions/token``, every request must carry it: an `Authorization: Bearer
/// <token>` header, or the `dbos_console_token` cookie. Opening any page with `?token=<token>`
/// sets that cookie (HttpOnly, SameSite=Strict) and redirects to the same page without it.
/// Actions are POST requests that must also carry the header `X-DBOS-Console: 1` (a browser does
/// not send it cross-site without a CORS preflight, which the console never grants).
public struct WebConsole: Sendable {
    /// The client the console reads and acts through.
    public let client: DBOSClient
    /// How the console behaves.
    public let options: ConsoleOptions
    /// Where the console logs actions (who, what, which workflow).
    public let logger: Logger

    /// A console over `client`.
    ///
    /// - Throws: ``ConsoleFailure`` when the token is not usable (see ``ConsoleOptions/isValidToken(_:)``).
    public init(client: DBOSClient, options: ConsoleOptions = .init(), logger: Logger = Logger(label: "dbos.console")) throws {
        if let token = options.token, !ConsoleOptions.isValidToken(token) {
            throw ConsoleFailure(.badRequest, "the console token must be letters, digits and -._~ only")
        }
        self.client = client
        self.options = options
        self.logger = logger
    }

    /// The `{id}` of the path, percent-decoded (a workflow ID may hold any character).
    static func workflowID(_ context: some RequestContext) throws -> String {
        let raw = try context.parameters.require("id")
        return raw.removingPercentEncoding ?? raw
    }

    /// Adds the console's routes to `router` under ``ConsoleOptions/basePath``. Its token
    /// check and error pages apply to these routes only.
    public func addRoutes<Context: RequestContext>(to router: some RouterMethods<Context>) {
        let group = router.group(RouterPath(options.normalizedBasePath))
            .add(middleware: FailureMiddleware<Context>(base: options.normalizedBasePath, readOnly: options.readOnly))
            .add(middleware: TokenMiddleware<Context>(token: options.token, base: options.normalizedBasePath))
        let pages = ConsolePages(client: client, options: options)
        let api = ConsoleAPI(client: client, options: options)
        group.get("/") { request, _ in try await pages.workflows(request) }
        group.get("/workflows/:id") { _, context in try await pages.workflow(try Self.workflowID(context)) }
        group.get("/queues") { _, _ in try await pages.queues() }
        group.get("/static/console.js") { _, _ in ConsoleAssets.script }
        group.get("/static/console.css") { _, _ in ConsoleAssets.style }
        group.get("/metrics") { _, _ in try await ConsoleMetrics.render(client) }
        group.get("/events") { request, _ in try LiveUpdates(client: client, interval: options.pollInterval).response(request) }
        group.get("/api/workflows") { request, _ in try await api.list(request) }
        group.get("/api/workflows/:id") { _, context in try await api.workflow(try Self.workflowID(context)) }
        group.get("/api/workflows/:id/steps") { _, context in try await api.steps(try Self.workflowID(context)) }
        group.get("/api/workflows/:id/events") { _, context in try await api.events(try Self.workflowID(context)) }
        group.get("/api/workflows/:id/streams") { _, context in try await api.streams(try Self.workflowID(context)) }
        group.get("/api/queues") { _, _ in try await api.queues() }
        group.get("/api/schedules") { _, _ in try await api.schedules() }
        let actions = ConsoleActions(client: client, readOnly: options.readOnly, tokenSet: options.token != nil, logger: logger)
        group.post("/api/workflows/:id/:action") { request, context in
            try await actions.perform(try context.parameters.require("action"), on: try Self.workflowID(context),
                                      request: request, remote: ConsoleActions.remoteAddress(of: context))
        }
    }
}
