public import Hummingbird
public import NIOCore

/// The request context of a console served on its own (`dbos-swift console`): it knows the
/// remote address, which the actions' log lines name.
public struct ConsoleRequestContext: RequestContext, RemoteAddressRequestContext {
    /// See `RequestContext`.
    public var coreContext: CoreRequestContextStorage
    /// The address of the connected client.
    public let remoteAddress: SocketAddress?

    /// A context for a request on `source`'s connection.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
