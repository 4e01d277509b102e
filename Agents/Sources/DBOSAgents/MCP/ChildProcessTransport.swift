import Foundation
import Logging
import MCP
import SystemPackage

/// An MCP transport to a child process over its standard input and output. When the child's
/// output ends (it exited or crashed), the process is reaped and `onClose` runs, so requests
/// still waiting for it fail instead of waiting forever.
actor ChildProcessTransport: Transport {
    nonisolated let logger: Logger
    private let process: PipedProcess
    private let inner: StdioTransport
    private let messages: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private let onClose: @Sendable (String) async -> Void
    private var forwarding: Task<Void, Never>?

    init(process: PipedProcess, logger: Logger, onClose: @escaping @Sendable (String) async -> Void) {
        self.process = process
        self.logger = logger
        self.onClose = onClose
        inner = StdioTransport(input: FileDescriptor(rawValue: process.fromChild),
                               output: FileDescriptor(rawValue: process.toChild), logger: logger)
        (messages, continuation) = AsyncThrowingStream.makeStream()
    }

    func connect() async throws {
        try await inner.connect()
        let inner = inner, continuation = continuation, process = process, onClose = onClose
        forwarding = Task {
            do {
                for try await message in await inner.receive() { continuation.yield(message) }
            } catch {}
            continuation.finish()
            let ended = await process.reap()
            await onClose(ended)
        }
    }

    func disconnect() async {
        await inner.disconnect()
        continuation.finish()
    }

    func send(_ data: Data) async throws {
        if let ended = process.ended { _ = ended; throw MCPError.connectionClosed }
        try await inner.send(data)
    }

    func receive() -> AsyncThrowingStream<Data, any Error> { messages }
}
