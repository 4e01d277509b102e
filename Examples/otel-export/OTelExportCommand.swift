import ArgumentParser
import DBOS
import Foundation
import Logging
import OTel
import ServiceLifecycle
import UnixSignals

/// `dbos-otel-example`: DBOS's spans and metrics exported with swift-otel (OTLP/HTTP).
@main
struct OTelExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbos-otel-example",
        abstract: "Run one traced checkout workflow and export its spans and metrics over OTLP/HTTP.",
        discussion: """
            The exporter follows the standard OTEL_* variables: OTEL_EXPORTER_OTLP_ENDPOINT
            (default http://localhost:4318), OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf or http/json), ...
            docker run -p 4318:4318 otel/opentelemetry-collector     # prints what it receives
            swift run dbos-otel-example
            """)

    @Option(help: "System database URL (postgresql://..., sqlite:///path or a file path). Default: $DBOS_SYSTEM_DATABASE_URL, else ./dbos-otel-example.sqlite.")
    var databaseURL: String?

    @Option(help: "What the checkout buys.")
    var item = "a durable teapot"

    func run() async throws {
        // 1. swift-otel becomes the process's tracer and metrics backend (DBOS uses whatever is
        //    bootstrapped). The OTEL_* environment variables override these settings.
        var otel = OTel.Configuration.default
        otel.serviceName = "dbos-otel-example"
        otel.diagnosticLogLevel = .warning   // export failures only
        otel.logs.enabled = false            // DBOS logs stay on the console
        let observability = try OTel.bootstrap(configuration: otel)

        // 2. DBOS, with OpenTelemetry-style attribute names (`dbos.operation.workflow_id`, ...).
        var config = DBOSConfig(name: "dbos-otel-example", systemDatabaseURL: databaseURL, spanAttributeNames: .openTelemetry)
        config.logger.logLevel = .warning
        let dbos = try DBOS(config: config)
        try dbos.register($checkout, $sendReceipt)

        // 3. One group; it shuts down in reverse order once the request returns: DBOS drains
        //    first, then swift-otel exports what is left (spans, a last metrics report), so
        //    nothing is lost at exit.
        let request = CheckoutRequest(dbos: dbos, item: item)
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: observability),
                .init(service: dbos),
                .init(service: request, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: config.logger))
        try await group.run()
        print("DBOS and swift-otel shut down: the last spans and metrics were exported on the way.")
    }
}
