import DBOSTestSupport
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A stand-in for an OpenTelemetry Collector's OTLP/HTTP receiver: an HTTP server on
/// 127.0.0.1 (a free port) that keeps the body of every POST to `/v1/traces`, `/v1/metrics`
/// and `/v1/logs` and answers 200 `{}`, as a collector accepting everything does.
final class OTLPCollector: Sendable {
    /// The signals' paths.
    static let paths = ["/v1/traces", "/v1/metrics", "/v1/logs"]

    private let bodies = Mutex<[String: [Data]]>([:])

    /// The bodies received at `path` (one of ``paths``), in order of arrival.
    func received(_ path: String) -> [Data] {
        bodies.withLock { $0[path] ?? [] }
    }

    private func record(_ body: Data, at path: String) {
        bodies.withLock { $0[path, default: []].append(body) }
    }

    /// Runs a collector while `body` runs, passing it its base URL (`http://127.0.0.1:<port>`,
    /// the value for `OTEL_EXPORTER_OTLP_ENDPOINT`); stops it afterwards.
    static func run<T: Sendable>(_ body: (_ collector: OTLPCollector, _ endpoint: String) async throws -> T) async throws -> T {
        let collector = OTLPCollector()
        var logger = Logger(label: "otlp-collector")
        logger.logLevel = .warning
        let (ports, portFound) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: collector.router(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "otlp-collector"),
            onServerRunning: { channel in portFound.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        let server = ServiceGroup(services: [app], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { portFound.finish() }   // a server that cannot start ends the wait for its port
                try await server.run()
            }
            var next = ports.makeAsyncIterator()
            guard let port = await next.next() else {
                try await tasks.waitForAll()
                throw TestFailure("the collector stand-in did not start")
            }
            let result: Result<T, any Error>
            do { result = .success(try await body(collector, "http://127.0.0.1:\(port)")) } catch { result = .failure(error) }
            await server.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    private func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        for path in Self.paths {
            router.post(RouterPath(path)) { request, _ in
                var request = request
                let buffer = try await request.collectBody(upTo: 32 << 20)
                self.record(Data(buffer.readableBytesView), at: path)
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
            }
        }
        return router
    }
}
