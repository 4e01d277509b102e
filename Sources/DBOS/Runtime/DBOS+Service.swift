import ServiceLifecycle

extension DBOS: Service {
    /// Runs the runtime as a swift-service-lifecycle `Service`: launches, then waits for
    /// graceful shutdown (e.g. SIGTERM through a `ServiceGroup`) and shuts down, letting
    /// running steps finish.
    public func run() async throws {
        try await launch()
        try? await gracefulShutdown()
        await shutdown()
    }
}
