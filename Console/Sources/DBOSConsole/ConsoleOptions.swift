/// How a ``WebConsole`` behaves: who may use it and what it lets them do.
public struct ConsoleOptions: Sendable {
    /// The shared secret every request must present (see ``WebConsole``), or nil for none.
    /// Letters, digits and `-._~` only, so it fits in a cookie unchanged.
    public var token: String?
    /// When true, the console shows workflows but offers and accepts no actions (cancel,
    /// resume, fork, delete).
    public var readOnly: Bool
    /// The path the console's routes are mounted under (`""` for the root, or `/console`, ...).
    public var basePath: String
    /// How often the live-update stream (`/events`) reads the statuses again.
    public var pollInterval: Duration
    /// The number of workflows on a page of the list, unless the request asks for another.
    public var pageSize: Int

    /// Options; by default no token, actions allowed, mounted at the root, one poll a second.
    public init(token: String? = nil, readOnly: Bool = false, basePath: String = "",
                pollInterval: Duration = .seconds(1), pageSize: Int = 50) {
        self.token = token
        self.readOnly = readOnly
        self.basePath = basePath
        self.pollInterval = pollInterval
        self.pageSize = pageSize
    }

    /// Whether `token` can be used (not empty; letters, digits and `-._~` only).
    public static func isValidToken(_ token: String) -> Bool {
        !token.isEmpty && token.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || ("0"..."9").contains(scalar) || "-._~".unicodeScalars.contains(scalar))
        }
    }

    /// The base path without a trailing slash (`""` for the root).
    var normalizedBasePath: String {
        var path = basePath
        while path.hasSuffix("/") { path.removeLast() }
        if !path.isEmpty && !path.hasPrefix("/") { path = "/" + path }
        return path
    }
}
