// swift-tools-version:6.0
import PackageDescription

/// The DBOS web console as a package of its own, so an application that embeds it (or installs
/// `dbos-console`) gets Hummingbird and swift-prometheus, and an application that only uses the
/// DBOS library does not.
///
/// The sources are built by this repository's root package too (plain targets there, for the
/// test suite); this manifest is what an application depends on.
let upcomingFeatures: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "dbos-console",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DBOSConsole", targets: ["DBOSConsole"]),
        .executable(name: "dbos-console", targets: ["dbos-console"]),
    ],
    dependencies: [
        .package(name: "dbos-transact-swift", path: ".."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "DBOSConsole",
            dependencies: [
                .product(name: "DBOS", package: "dbos-transact-swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "dbos-console",
            dependencies: [
                "DBOSConsole",
                .product(name: "DBOS", package: "dbos-transact-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcomingFeatures
        ),
    ]
)
