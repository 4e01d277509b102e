public import Hummingbird
public import Logging
import NIOCore

/// Serving a ``WebConsole`` on its own, as `dbos-swift console` does.
public enum ConsoleServer {
    /// Whether `host` is a loopback address (`127.x.x.x`, `::1` or `localhost`).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// Refuses to serve on a non-loopback address without a token.
    ///
    /// - Throws: ``ConsoleFailure`` explaining what to do.
    public static func validate(host: String, token: String?) throws {
        if !isLoopback(host) && token == nil {
            throw ConsoleFailure(.badRequest,
                                 "refusing to serve the console on \(host) without --token: anyone who can reach it could cancel or delete workflows")
        }
    }

    /// A Hummingbird application serving `console` on `host`:`port` (0 picks a free port).
    /// `onListening` receives the bound port once the server accepts connections.
    ///
    /// - Throws: as ``validate(host:token:)``.
    public static func application(
        _ console: WebConsole, host: String = "127.0.0.1", port: Int = 8080, logger: Logger = Logger(label: "dbos.console"),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        try validate(host: host, token: console.options.token)
        let router = Router(context: ConsoleRequestContext.self)
        console.addRoutes(to: router)
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "dbos-console"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
