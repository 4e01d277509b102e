// swift-tools-version:6.1
import PackageDescription

/// DBOSAgents, durable agents on DBOS, as a package of its own: an application that uses it
/// gets the MCP SDK and AsyncHTTPClient, and an application that only uses the DBOS library
/// does not (scripts/check-user-graph.sh).
///
/// The sources are built by this repository's root package too (a plain target there, with the
/// `AgentsTests` suite and its fixtures); this manifest is what an application depends on.
let upcomingFeatures: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "dbos-agents",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DBOSAgents", targets: ["DBOSAgents"]),
    ],
    dependencies: [
        .package(name: "dbos-transact-swift", path: ".."),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .target(
            name: "DBOSAgents",
            dependencies: [
                .product(name: "DBOS", package: "dbos-transact-swift"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
    ]
)
