// swift-tools-version:6.0
import CompilerPluginSupport
import PackageDescription

let package = Package(
    name: "dbos-transact-swift",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "DBOS", targets: ["DBOS"]),
        .executable(name: "dbos-swift", targets: ["dbos-swift"]),
        .executable(name: "dbos-demo", targets: ["dbos-demo"]),
        .executable(name: "dbos-bench", targets: ["dbos-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // 603 is the first release whose compiler plugins end cleanly with Swift 6.3 (602 prints "Internal Error: DecodingError" per file).
        .package(url: "https://github.com/swiftlang/swift-syntax", "602.0.0"..<"604.0.0"),
        // Examples/ only: the agent-inbox HTTP service and the OpenAI-compatible model client.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .macro(
            name: "DBOSMacros",
            dependencies: [
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
            ]
        ),
        .target(
            name: "DBOS",
            dependencies: [
                "DBOSMacros",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "dbos-swift",
            dependencies: [
                "DBOS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "dbos-demo",
            dependencies: [
                "DBOS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "dbos-bench",
            dependencies: [
                "DBOS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ]
        ),
        .executableTarget(
            name: "dbos-test-fixture",
            dependencies: ["DBOS"]
        ),
        .executableTarget(
            name: "annotated-crash-fixture",
            dependencies: ["DBOS"]
        ),
        .executableTarget(
            name: "dbos-queue-fixture",
            dependencies: ["DBOS", .product(name: "PostgresNIO", package: "postgres-nio")]
        ),
        .executableTarget(
            name: "dbos-interop-worker",
            dependencies: [
                "DBOS",
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "DBOSTests",
            dependencies: [
                "DBOS",
                "dbos-swift",
                "dbos-test-fixture",
                "annotated-crash-fixture",
                "dbos-demo",
                "dbos-queue-fixture",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ]
        ),
        // MARK: Examples (see README "Examples")
        .target(
            name: "AgentSupport",
            dependencies: [
                "DBOS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Examples/AgentSupport"
        ),
        .executableTarget(
            name: "agent-debugging",
            dependencies: ["DBOS", "AgentSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/agent-debugging"
        ),
        .executableTarget(
            name: "agent-inbox",
            dependencies: [
                "DBOS", "AgentSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/agent-inbox"
        ),
        .executableTarget(
            name: "document-ingestion",
            dependencies: [
                "DBOS", "AgentSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Examples/document-ingestion",
            exclude: ["corpus"]
        ),
        .testTarget(
            name: "ExamplesTests",
            dependencies: [
                "DBOS",
                "dbos-swift",
                "agent-debugging",
                "agent-inbox",
                "document-ingestion",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "DBOSMacrosTests",
            dependencies: [
                "DBOSMacros",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacroExpansion", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacrosGenericTestSupport", package: "swift-syntax"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
