// swift-tools-version:6.1
import PackageDescription
import class Foundation.ProcessInfo

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "embargo",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "embargo", targets: ["embargo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .target(
            name: "COpenSSL",
            path: "Sources/COpenSSL",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        .target(
            name: "EmbargoCrypto",
            dependencies: ["COpenSSL"],
            swiftSettings: strict
        ),
        .target(
            name: "EmbargoSchema",
            path: "schema",
            resources: [
                .embedInCode("m0001_init.sql"),
                .embedInCode("m0002_advisories.sql"),
                .embedInCode("m0003_audit.sql"),
                .embedInCode("m0004_patches.sql"),
                .embedInCode("m0005_releases.sql"),
            ]
        ),
        .target(
            name: "EmbargoStore",
            dependencies: [
                "EmbargoCrypto",
                "EmbargoSchema",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "EmbargoKit",
            dependencies: [
                "EmbargoStore",
                "EmbargoCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "embargo",
            dependencies: [
                "EmbargoKit",
                "EmbargoStore",
                "EmbargoCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EmbargoCryptoTests",
            dependencies: ["EmbargoCrypto"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EmbargoStoreTests",
            dependencies: ["EmbargoStore", "EmbargoCrypto"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EmbargoKitTests",
            dependencies: ["EmbargoKit", "EmbargoStore", "EmbargoCrypto"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EmbargoCLITests",
            dependencies: ["embargo", "EmbargoKit", "EmbargoStore", "EmbargoCrypto", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
    ]
)

// The benchmark helper (Benchmarks/embargo-bench) is built only by scripts/bench,
// which sets EMBARGO_BENCH=1: it fills large stores through the library and
// writes plaintext copies for the sqlite3 baseline, which the CLI never does.
// `swift build` and `swift test` do not see it.
if ProcessInfo.processInfo.environment["EMBARGO_BENCH"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "embargo-bench",
            dependencies: [
                "EmbargoKit",
                "EmbargoStore",
                "EmbargoCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            path: "Benchmarks/embargo-bench",
            swiftSettings: strict
        )
    )
}
