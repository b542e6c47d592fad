// swift-tools-version:6.1
import Foundation
import PackageDescription
import class Foundation.ProcessInfo
#if canImport(Glibc)
import Glibc
#endif

/// `scripts/fuzz` sets EMBARGO_FUZZ=1 to build the libFuzzer targets in Fuzz/.
/// Only then are the libraries instrumented (coverage for libFuzzer, address
/// sanitizer) and the fuzz executables declared; a normal build is unchanged.
let fuzzing = ProcessInfo.processInfo.environment["EMBARGO_FUZZ"] == "1"
let fuzzFlags: [SwiftSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"])] : []

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)] + fuzzFlags

/// How a release build links the command, for a fast start (README, Performance):
/// with lld instead of gold, whose binary the loader relocates faster, and, where
/// the C library applies them (glibc 2.36 and later), relative relocations packed
/// as DT_RELR, a tenth of the loader's work left. The Swift runtime and Foundation
/// are linked in by `--static-swift-stdlib` (README, Installation): as a linker
/// flag here alone it fails, since the modules compiled without it do not name
/// the static libraries they need. Debug builds, the tests and the fuzz build
/// link as before.
let releaseLinking: [LinkerSetting] = {
    #if os(Linux)
    var flags = ["-use-ld=lld"]
    if glibcAppliesRELR() { flags += ["-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"] }
    if staticArchivesInstalled(), ProcessInfo.processInfo.environment["EMBARGO_LINK_SHARED"] == nil {
        // `-lsqlite3`, `-lcrypto` and `-lstdc++` find the linker scripts in Linking/static
        // first, which name the static archives: no shared library left to load but the C
        // library's, and none of their symbols to bind at each start.
        flags += ["-L", Context.packageDirectory + "/Linking/static", "-Xclang-linker", "-static-libgcc"]
    }
    return [.unsafeFlags(flags, .when(platforms: [.linux], configuration: .release))]
    #else
    return []
    #endif
}()

/// Whether this machine's C library is glibc 2.36 or later, the first to apply
/// DT_RELR relocations (an older one would leave a packed binary unrelocated).
func glibcAppliesRELR() -> Bool {
    #if canImport(Glibc)
    var buffer = [CChar](repeating: 0, count: 64)
    guard confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, buffer.count) > 0 else { return false }
    // "glibc 2.36"
    let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let version = text.split(separator: " ").last ?? ""
    let parts = version.split(separator: ".").compactMap { Int($0) }
    return parts.count >= 2 && (parts[0], parts[1]) >= (2, 36)
    #else
    return false
    #endif
}

/// Whether the static archives of SQLite, OpenSSL's libcrypto and libstdc++ are
/// installed (Debian's libsqlite3-dev, libssl-dev and libstdc++-dev ship them); without
/// them a release build links the shared libraries.
func staticArchivesInstalled() -> Bool {
    let files = FileManager.default
    #if arch(arm64)
    let triple = "aarch64-linux-gnu"
    #else
    let triple = "x86_64-linux-gnu"
    #endif
    let libraries = ["/usr/lib/\(triple)", "/usr/lib64", "/usr/lib"]
    func installed(_ name: String, in directories: [String]) -> Bool {
        directories.contains { files.fileExists(atPath: $0 + "/" + name) }
    }
    // The compiler driver links with the newest GCC installation's libstdc++: its archive counts.
    let compilers = "/usr/lib/gcc/" + triple
    func version(_ name: String) -> [Int] { name.split(separator: ".").compactMap { Int($0) } }
    let newest = ((try? files.contentsOfDirectory(atPath: compilers)) ?? [])
        .filter { files.fileExists(atPath: "\(compilers)/\($0)/crtbegin.o") }
        .max { version($0).lexicographicallyPrecedes(version($1)) }
    guard let newest else { return false }
    return installed("libsqlite3.a", in: libraries) && installed("libcrypto.a", in: libraries)
        && installed("libstdc++.a", in: ["\(compilers)/\(newest)"])
}

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
            name: "CStoreImage",
            path: "Sources/CStoreImage",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        .target(
            name: "CSpawn",
            path: "Sources/CSpawn"
        ),
        .target(
            name: "CAgent",
            path: "Sources/CAgent"
        ),
        .target(
            name: "TerminalText",
            swiftSettings: strict
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
                .embedInCode("m0006_membership.sql"),
                .embedInCode("m0007_disclosure.sql"),
                .embedInCode("m0008_advisory_lists.sql"),
                .embedInCode("m0009_accepted_findings.sql"),
                .embedInCode("m0010_branch_test_commands.sql"),
                .embedInCode("m0011_people.sql"),
                .embedInCode("m0012_project_blackouts.sql"),
                .embedInCode("m0013_releases.sql"),
                .embedInCode("m0014_keyed_former_members.sql"),
                .embedInCode("m0015_affected_from.sql"),
                .embedInCode("m0016_project_title.sql"),
            ]
        ),
        .target(
            name: "EmbargoErrors",
            dependencies: ["TerminalText"],
            swiftSettings: strict
        ),
        .target(
            name: "EmbargoSeverity",
            dependencies: ["EmbargoErrors"],
            swiftSettings: strict
        ),
        .target(
            name: "EmbargoVersions",
            dependencies: ["EmbargoErrors"],
            swiftSettings: strict
        ),
        .target(
            name: "EmbargoStore",
            dependencies: [
                "EmbargoErrors",
                "CStoreImage",
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
                "EmbargoSeverity",
                "EmbargoVersions",
                "CSpawn",
                "CAgent",
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
                "TerminalText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict,
            linkerSettings: releaseLinking
        ),
        // A seeded generator and what else several test targets share.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "TerminalTextTests",
            dependencies: ["TerminalText"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EmbargoCryptoTests",
            dependencies: ["EmbargoCrypto"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EmbargoStoreTests",
            dependencies: ["EmbargoStore", "EmbargoCrypto", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EmbargoKitTests",
            dependencies: ["EmbargoKit", "EmbargoSeverity", "EmbargoVersions", "EmbargoErrors", "EmbargoStore", "EmbargoCrypto", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EmbargoCLITests",
            dependencies: ["embargo", "EmbargoKit", "EmbargoStore", "EmbargoCrypto", .product(name: "GRDB", package: "GRDB.swift"), "TestSupport"],
            swiftSettings: strict
        ),
    ]
)

/// One libFuzzer executable per parser: Fuzz/<name>/ holds Fuzz<Name>.swift,
/// which defines LLVMFuzzerTestOneInput, and a main.swift that hands it to
/// libFuzzer's driver. See scripts/fuzz.
let fuzzTargets: [(name: String, module: String, dependencies: [Target.Dependency])] = [
    ("age", "FuzzAge", ["EmbargoCrypto"]),
    ("store-header", "FuzzStoreHeader", ["EmbargoStore", "EmbargoCrypto"]),
    ("mbox", "FuzzMbox", ["EmbargoKit"]),
    ("version", "FuzzVersion", ["EmbargoVersions"]),
    ("severity", "FuzzSeverity", ["EmbargoSeverity"]),
    ("osv", "FuzzOSV", ["EmbargoKit"]),
    ("minisign", "FuzzMinisign", ["EmbargoCrypto"]),
    ("terminal", "FuzzTerminal", ["TerminalText"]),
]

if fuzzing {
    package.targets.append(.target(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"))
    for target in fuzzTargets {
        package.targets.append(.executableTarget(
            name: target.module,
            dependencies: target.dependencies + ["CLibFuzzer"],
            path: "Fuzz/\(target.name)",
            swiftSettings: strict,
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])]
        ))
        package.products.append(.executable(name: "fuzz-\(target.name)", targets: [target.module]))
    }
}

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
