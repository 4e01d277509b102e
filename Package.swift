// swift-tools-version:6.1
import CompilerPluginSupport
import PackageDescription

/// The anchors' settings: explicit `any`, members visible only through the file's own imports,
/// and imports internal unless marked `public` (no PostgresNIO or SQLiteNIO type leaks into
/// the public API).
let upcomingFeatures: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "dbos-transact-swift",
    // `Synchronization.Mutex` needs macOS 15.
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DBOS", targets: ["DBOS"]),
        // For an application's tests: a runtime per test, a clock the test advances, crashes
        // at a chosen step, and a replay check of recorded histories.
        .library(name: "DBOSTesting", targets: ["DBOSTesting"]),
        .executable(name: "dbos-swift", targets: ["dbos-swift"]),
        .executable(name: "dbos-demo", targets: ["dbos-demo"]),
        .executable(name: "dbos-bench", targets: ["dbos-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // API packages only: the application chooses the backends (swift-otel, swift-prometheus, ...).
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // 603 is the first release whose compiler plugins end cleanly with Swift 6.3 (602 prints "Internal Error: DecodingError" per file).
        .package(url: "https://github.com/swiftlang/swift-syntax", "603.0.0"..<"604.0.0"),
        // Examples/ only (a library user's graph does not include them): the agent-inbox HTTP
        // service and the OpenAI-compatible model client.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // DBOSConsole (the web console) and its browser test's DevTools client; a user of the
        // DBOS library alone does not get them (scripts/check-user-graph.sh).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        // Examples/otel-export only: the OTLP exporter, with its OTLP/HTTP trait alone (the
        // default traits add OTLP/gRPC, whose grpc-swift packages take long to build).
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        // `swift package generate-documentation --target DBOS` (the DocC catalog in
        // Sources/DBOS/Documentation.docc); a command plugin only, it adds nothing to a build.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // DBOSAgents (Agents/) only: MCP clients and servers; a user of the DBOS library alone
        // does not get it (scripts/check-user-graph.sh).
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        // The file descriptors of the MCP SDK's stdio transport (already in the SDK's graph).
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // The agent fixture's Last-Event-ID header (already in Hummingbird's graph).
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .macro(
            name: "DBOSMacros",
            dependencies: [
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "DBOS",
            dependencies: [
                "DBOSMacros",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "DBOSTesting",
            dependencies: ["DBOS"],
            swiftSettings: upcomingFeatures
        ),
        // The console's sources live in Console/, a package of its own for applications that
        // embed it; the root builds them as plain targets (not products) for the test suite and
        // `dbos-swift console`, so a DBOS user's graph stays free of Hummingbird.
        .target(
            name: "DBOSConsole",
            dependencies: [
                "DBOS",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Console/Sources/DBOSConsole",
            swiftSettings: upcomingFeatures
        ),
        // DBOSAgents' sources live in Agents/, a package of its own (product `DBOSAgents`); the
        // root builds them as a plain target for the test suite, like the console.
        .target(
            name: "DBOSAgents",
            dependencies: [
                "DBOS",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Agents/Sources/DBOSAgents",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "dbos-swift",
            dependencies: [
                "DBOS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcomingFeatures
        ),
        // Not a product: `dbos-swift console` runs it, and a product's dependencies would join
        // every DBOS user's graph (scripts/check-user-graph.sh).
        .executableTarget(
            name: "dbos-console",
            dependencies: [
                "DBOS",
                "DBOSConsole",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Console/Sources/dbos-console",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "dbos-demo",
            dependencies: [
                "DBOS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "dbos-bench",
            dependencies: [
                "DBOS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: upcomingFeatures
        ),

        // MARK: Tests: fixtures (child processes the tests start), shared support, suites

        .executableTarget(
            name: "dbos-test-fixture",
            dependencies: [
                "DBOS",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/Fixtures/dbos-test-fixture",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "annotated-crash-fixture",
            dependencies: ["DBOS"],
            path: "Tests/Fixtures/annotated-crash-fixture",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "dbos-queue-fixture",
            dependencies: ["DBOS", .product(name: "PostgresNIO", package: "postgres-nio")],
            path: "Tests/Fixtures/dbos-queue-fixture",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "dbos-chaos",
            dependencies: [
                "DBOS", "DBOSTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Fixtures/dbos-chaos",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "dbos-interop-worker",
            dependencies: [
                "DBOS",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Fixtures/dbos-interop-worker",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "mcp-fixture-server",
            dependencies: [
                .product(name: "MCP", package: "swift-sdk"), .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Tests/Fixtures/mcp-fixture-server",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "agent-crash-fixture",
            dependencies: [
                "DBOS", "DBOSAgents",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Fixtures/agent-crash-fixture",
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "DBOSTestSupport",
            dependencies: [
                "DBOS",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/DBOSTestSupport",
            swiftSettings: upcomingFeatures
        ),
        // The Swift code blocks of README.md and of the DocC articles, compiled (scripts/check-snippets.sh
        // checks that each block equals its regions here); built with the package, run by nothing.
        .target(
            name: "DocSnippets",
            dependencies: [
                "DBOS",
                "DBOSTesting",
                "DBOSAgents",
                "DBOSConsole",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/DocSnippets",
            exclude: ["README.md"],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "DBOSTests",
            dependencies: [
                "DBOS",
                "DBOSTesting",
                "DBOSTestSupport",
                "dbos-swift",
                "dbos-test-fixture",
                "annotated-crash-fixture",
                "dbos-demo",
                "dbos-queue-fixture", "dbos-chaos", "dbos-interop-worker",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "ConsoleTests",
            dependencies: [
                "DBOS",
                "DBOSConsole",
                "DBOSTestSupport",
                "dbos-swift",
                "dbos-console",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "agent-mcp",
            dependencies: [
                "DBOS", "DBOSAgents",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/agent-mcp",
            exclude: ["README.md"],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "AgentsTests",
            dependencies: [
                "DBOS",
                "DBOSTesting",
                "DBOSAgents",
                "DBOSTestSupport",
                "mcp-fixture-server",
                "agent-crash-fixture",
                "agent-mcp",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "DBOSMacrosTests",
            dependencies: [
                "DBOSMacros",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacroExpansion", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacrosGenericTestSupport", package: "swift-syntax"),
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
            ],
            swiftSettings: upcomingFeatures
        ),

        // MARK: Examples (see README "Examples"), their own products' dependencies

        .target(
            name: "AgentSupport",
            dependencies: [
                "DBOS", "DBOSAgents",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Examples/AgentSupport",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "agent-debugging",
            dependencies: ["DBOS", "DBOSAgents", "AgentSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/agent-debugging",
            exclude: ["README.md"],
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "agent-inbox",
            dependencies: [
                "DBOS", "DBOSAgents", "AgentSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Examples/agent-inbox",
            exclude: ["README.md"],
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "document-ingestion",
            dependencies: [
                "DBOS", "DBOSAgents", "AgentSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/document-ingestion",
            exclude: ["corpus", "README.md"],
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "dbos-otel-example",
            dependencies: [
                "DBOS",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Examples/otel-export",
            exclude: ["README.md"],
            swiftSettings: upcomingFeatures
        ),
        // Examples/testing-workflows, a package of its own written as a DBOS user writes one (no
        // `@testable`, no upcoming features); the root builds it so the suite runs its tests.
        .target(
            name: "OrderWorkflows",
            dependencies: ["DBOS"],
            path: "Examples/testing-workflows/Sources/OrderWorkflows"
        ),
        .testTarget(
            name: "OrderWorkflowsTests",
            dependencies: ["OrderWorkflows", "DBOS", "DBOSTesting"],
            path: "Examples/testing-workflows/Tests/OrderWorkflowsTests"
        ),
        .testTarget(
            name: "ExamplesTests",
            dependencies: [
                "DBOS",
                "DBOSTestSupport",
                "dbos-swift",
                "agent-debugging",
                "agent-inbox",
                "document-ingestion",
                "dbos-otel-example",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcomingFeatures
        ),
    ],
    swiftLanguageModes: [.v6]
)
