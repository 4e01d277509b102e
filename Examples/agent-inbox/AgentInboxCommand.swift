import AgentSupport
import ArgumentParser
import DBOS
import Foundation
import Hummingbird
import Logging

/// `agent-inbox`: an HTTP service of agents that wait (durably) for a human's approval.
@main
struct AgentInboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-inbox",
        abstract: "Agents that draft a proposal and wait for your approval; kill -9 and restart lose nothing.",
        discussion: """
            swift run agent-inbox                        # http://127.0.0.1:8080
            curl -X POST localhost:8080/agents -d '{"task":"Renew the TLS certificates"}'
            curl localhost:8080/agents
            curl -X POST localhost:8080/agents/ID/respond -d '{"approved":true}'
            """)

    @OptionGroup var example: ExampleOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port; the chosen one is printed).")
    var port = 8080

    @Option(help: "How long an agent waits for a decision when its request does not say (seconds).")
    var waitSeconds: Double = 3600

    func run() async throws {
        guard waitSeconds > 0 else { throw ValidationError("--wait-seconds must be positive, not \(waitSeconds)") }
        Inbox.model.set(try example.languageModel(script: InboxScript.model))
        Inbox.defaultWaitSeconds.set(waitSeconds)

        let dbos = try DBOS(config: example.config(name: "agent-inbox"))
        try dbos.register($inboxAgent)

        // DBOS runs as a service next to the HTTP server: it starts with the service group
        // (resuming agents left waiting by an earlier, killed process) and drains on SIGTERM.
        let host = host
        var app = Application(
            router: InboxService(dbos: dbos).router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "agent-inbox"),
            services: [dbos],
            onServerRunning: { channel in
                printNow("agent-inbox listening on http://\(host):\(channel.localAddress?.port ?? 0)")
            },
            logger: {
                var logger = Logger(label: "agent-inbox")
                logger.logLevel = .warning
                return logger
            }())
        app.beforeServerStarts {
            let recovery = try await dbos.waitUntilLaunched()   // no request reaches a runtime still starting
            printNow("agent-inbox on \(dbos.backendName) (executor \(dbos.executorID)): \(recovery.recovered.count) agent(s) resumed")
        }
        try await app.runService()   // until SIGTERM or SIGINT
    }
}
