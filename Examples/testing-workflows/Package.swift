// swift-tools-version:6.1
import PackageDescription

/// An application's workflows and their tests, written as a DBOS user writes them: the tests
/// use the `DBOSTesting` product (a runtime per test, a clock they advance, an in-process
/// crash, a replay check), never `@testable import DBOS`.
///
/// In your own package, depend on the released library instead of this checkout:
/// `.package(url: "https://github.com/<owner>/dbos-transact-swift", from: "0.1.0")`.
/// The repository's root package also builds these sources (for its test suite).
let package = Package(
    name: "testing-workflows",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "dbos-transact-swift", path: "../.."),
    ],
    targets: [
        .target(
            name: "OrderWorkflows",
            dependencies: [.product(name: "DBOS", package: "dbos-transact-swift")]
        ),
        .testTarget(
            name: "OrderWorkflowsTests",
            dependencies: [
                "OrderWorkflows",
                .product(name: "DBOS", package: "dbos-transact-swift"),
                .product(name: "DBOSTesting", package: "dbos-transact-swift"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
