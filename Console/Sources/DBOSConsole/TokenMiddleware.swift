import Hummingbird

/// Requires the console's token on every request (see ``WebConsole``): a bearer header or the
/// cookie; `?token=` on a page sets the cookie and redirects to the page without it.
struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    static var cookieName: String { "dbos_console_token" }
    let token: String?
    let base: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else { return try await next(request, context) }
        if let authorization = request.headers[.authorization] {
            guard authorization == "Bearer \(token)" else { throw ConsoleFailure(.unauthorized, "wrong token in the Authorization header") }
            return try await next(request, context)
        }
        var parameters = QueryString.parse(request.uri.query)
        if let given = parameters.removeValue(forKey: "token")?.last {
            guard given == token else { throw ConsoleFailure(.unauthorized, "wrong token in ?token=") }
            guard request.method == .get else { return try await next(request, context) }
            // Set the cookie and drop the token from the address bar (and from the history).
            let rest = QueryString.make(parameters.sorted { $0.key < $1.key }.flatMap { name, values in values.map { (name, $0) } })
            var response = Response(status: .seeOther)
            response.headers[.location] = request.uri.path + (rest.isEmpty ? "" : "?" + rest)
            response.setCookie(Cookie(name: Self.cookieName, value: token, path: base.isEmpty ? "/" : base,
                                      httpOnly: true, sameSite: .strict))
            return response
        }
        if let cookie = request.cookies[Self.cookieName] {
            guard cookie.value == token else { throw ConsoleFailure(.unauthorized, "wrong token in the console cookie") }
            return try await next(request, context)
        }
        throw ConsoleFailure(.unauthorized,
                             "this console needs its token: send Authorization: Bearer <token>, or open it once with ?token=<token>")
    }
}
