// swift-tools-version:6.0
// Ascent: an event-sourced backend for crash games.
//
// Layout (see docs/architecture.md): pure targets (AscentCore, AscentFairness, AscentLog) import no
// C module, no clock and no randomness; IO targets wrap one C library each; AscentCLI wires them;
// the `ascent` executable is a one-line main.
import PackageDescription

let package = Package(
    name: "ascent",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ascent", targets: ["ascent"]),
    ],
    targets: [
        // C libraries from Debian's -dev packages.
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CRdKafka", path: "Sources/CRdKafka", pkgConfig: "rdkafka",
                       providers: [.apt(["librdkafka-dev"])]),

        // Pure: no C, no clock, no randomness.
        .target(name: "AscentCore"),
        .target(name: "AscentFairness", dependencies: ["AscentCore"]),
        .target(name: "AscentLog"),
        // Audit: rebuilds rounds from the log and checks fairness, payouts and money (pure).
        .target(name: "AscentAudit", dependencies: ["AscentCore", "AscentFairness", "AscentLog"]),

        // IO: one C library each.
        .target(name: "AscentCrypto", dependencies: ["CCrypto"]),
        .target(name: "AscentPostgres", dependencies: ["CLibPQ", "AscentLog", "AscentRuntime"]),
        .target(name: "AscentKafka", dependencies: ["CRdKafka", "AscentLog"]),
        // Operations: metrics, JSON-lines logs, a small HTTP server for /metrics and health, signals.
        .target(name: "AscentRuntime", dependencies: ["CSystemShim"]),
        // The WebSocket edge: an epoll server (RFC 6455) over a small C shim for what Glibc lacks.
        .target(name: "CSystemShim"),
        .target(name: "AscentEdge", dependencies: ["CSystemShim", "AscentRuntime", "AscentCore"]),

        // Services: the parts of the system as run loops over any EventLog.
        .target(name: "AscentServices", dependencies: ["AscentCore", "AscentFairness", "AscentLog", "AscentRuntime"]),

        // The projector: read models in PostgreSQL.
        .target(name: "AscentProjector", dependencies: ["AscentServices", "AscentPostgres"]),

        // The edge's game side: the WebSocket server joined to the log and the player protocol.
        .target(name: "AscentGateway", dependencies: ["AscentEdge", "AscentServices", "AscentCore", "AscentLog"]),

        // Wiring.
        .target(name: "AscentCLI", dependencies: [
            "AscentCore", "AscentFairness", "AscentLog", "AscentCrypto", "AscentPostgres", "AscentKafka", "AscentServices",
            "AscentProjector", "AscentRuntime", "AscentAudit", "AscentEdge", "AscentGateway",
        ]),
        .executableTarget(name: "ascent", dependencies: ["AscentCLI"]),

        // Shared by the test targets only: the integration database's discovery and naming.
        .target(name: "AscentTestSupport", path: "Tests/AscentTestSupport"),
        .testTarget(name: "AscentCoreTests", dependencies: ["AscentCore"]),
        .testTarget(name: "AscentFairnessTests", dependencies: ["AscentFairness", "AscentCore", "AscentCrypto"]),
        .testTarget(name: "AscentLogTests", dependencies: ["AscentLog", "AscentPostgres", "AscentKafka", "AscentTestSupport"]),
        .testTarget(name: "AscentCLITests", dependencies: ["AscentCLI"]),
        .testTarget(name: "AscentServicesTests", dependencies: ["AscentServices", "AscentProjector", "AscentPostgres", "AscentKafka", "AscentAudit",
                                                             "AscentTestSupport"]),
        .testTarget(name: "AscentRuntimeTests", dependencies: ["AscentRuntime"]),
        .testTarget(name: "AscentEdgeTests", dependencies: ["AscentEdge", "AscentRuntime", "AscentGateway", "AscentServices",
                                                         "AscentProjector", "AscentPostgres", "AscentTestSupport"]),
        .testTarget(name: "AscentAuditTests", dependencies: [
            "AscentAudit", "AscentCore", "AscentFairness", "AscentLog", "AscentPostgres", "AscentServices", "AscentProjector", "AscentCLI",
            "AscentTestSupport",
        ], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
