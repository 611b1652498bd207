// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "patient-record-projector",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "projector", targets: ["projector"])
    ],
    // Exact versions: the ones the whole test suite last passed with. Package.resolved is not committed: it
    // records the revisions of the package copies where it was written, which need not be the upstream
    // repositories' (this project's CI reaches local copies only), so a clone elsewhere must resolve afresh.
    // Exact pins keep that fresh resolution on the tested versions; an upgrade is a deliberate edit here.
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", exact: "1.1.4"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        // Already in Hummingbird's graph; named for NIOCore (a bound port, ByteBuffer).
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        // `swift package generate-documentation`: the DocC catalogs (the event contract, …); CI builds them.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", exact: "1.5.0"),
    ],
    targets: [
        // libpq, through pkg-config; only `Postgres` imports it.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // glibc's mallopt, for the executable's arena cap (MallocArenas).
        .systemLibrary(name: "CMalloc"),
        .target(
            name: "Postgres",
            dependencies: ["CLibPQ"]
        ),
        // Pure: events, positions, the projection protocol, row changes and their coalescing. No I/O.
        .target(name: "ProjectionCore"),
        .target(
            name: "EventLog",
            dependencies: ["Postgres", "ProjectionCore"]
        ),
        .target(
            name: "ProjectionEngine",
            dependencies: [
                "Postgres",
                "EventLog",
                "ProjectionCore",
                "Migrations",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ]
        ),
        // `projector run`'s operations endpoints: /health, /ready, /metrics (Prometheus), /status.
        .target(
            name: "ProjectorHTTP",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // `projector bench`: rebuild rate beside COPY, live lag, peak memory.
        .target(
            name: "ProjectorBench",
            dependencies: ["Postgres", "EventLog", "EventGenerator", "Migrations", "ProjectionCore"],
            // Every run's figures, one JSON line each, appended by `scripts/bench`.
            exclude: ["results.jsonl"]
        ),
        // Deterministic synthetic events per the event contract, for demos, tests and benchmarks.
        .target(name: "EventGenerator"),
        // The service's own schemas (event log, checkpoints, dead letters, roles) as numbered SQL files,
        // and the analysts' reporting views.
        .target(
            name: "Migrations",
            dependencies: ["Postgres"],
            path: "sql",
            exclude: ["README.md", "api", "reports"],
            resources: [.copy("migrations"), .copy("reporting")]
        ),
        // The producers' side of the boundary: NDJSON lines read with a byte bound, each event line checked
        // by jsonb's rules before `import` or `append` sends anything.
        .target(
            name: "EventInput",
            dependencies: ["ProjectionContract"]
        ),
        // The read models: the event contract, then one target per read model (its schema.sql is a resource).
        .target(
            name: "ProjectionContract",
            dependencies: ["ProjectionCore"],
            path: "projections/Contract"
        ),
        .target(
            name: "TimelineProjection",
            dependencies: ["ProjectionCore", "ProjectionContract"],
            path: "projections/timeline",
            exclude: ["README.md"],
            resources: [.copy("schema.sql")]
        ),
        .target(
            name: "ResultsProjection",
            dependencies: ["ProjectionCore", "ProjectionContract"],
            path: "projections/results",
            exclude: ["README.md"],
            resources: [.copy("schema.sql")]
        ),
        .target(
            name: "AppointmentsProjection",
            dependencies: ["ProjectionCore", "ProjectionContract"],
            path: "projections/appointments",
            exclude: ["README.md"],
            resources: [.copy("schema.sql")]
        ),
        .target(
            name: "ConsentProjection",
            dependencies: ["ProjectionCore", "ProjectionContract"],
            path: "projections/consent",
            exclude: ["README.md"],
            resources: [.copy("schema.sql")]
        ),
        .target(
            name: "MedicationsProjection",
            dependencies: ["ProjectionCore", "ProjectionContract"],
            path: "projections/medications",
            exclude: ["README.md"],
            resources: [.copy("schema.sql")]
        ),
        // Every read model above, listed once: `projector` and the tests take them from here. A new read model is
        // a target like those above, named here and in ReadModels.swift.
        .target(
            name: "ReadModels",
            dependencies: [
                "ProjectionCore", "TimelineProjection", "ResultsProjection", "AppointmentsProjection",
                "ConsentProjection", "MedicationsProjection",
            ],
            path: "projections/ReadModels"
        ),
        // The command line, a library so that a test build can add a read model of its own (Tests/TrapdoorProjector).
        .target(
            name: "ProjectorCLI",
            dependencies: [
                "CMalloc",
                "Postgres",
                "EventLog",
                "EventInput",
                "ProjectionCore",
                "ProjectionEngine",
                "EventGenerator",
                "Migrations",
                "ProjectorBench",
                "ReadModels",
                "ProjectorHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(name: "projector", dependencies: ["ProjectorCLI"]),

        // A fresh database per test, cloned from a migrated template.
        .target(
            name: "PostgresTestSupport",
            dependencies: [
                "Postgres", "Migrations", "ProjectionCore", "ProjectionEngine",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/PostgresTestSupport"
        ),
        // The input path's parsers, each with an oracle; `projector-fuzz` is their libFuzzer entry point
        // (scripts/fuzz builds it with `--sanitize fuzzer -DFUZZING`) and, built as usual, a replayer.
        .target(
            name: "FuzzTargets",
            dependencies: ["ProjectionContract", "ProjectionCore", "EventInput"],
            path: "Tests/Fuzzing/FuzzTargets"
        ),
        // `projector` with one more read model, `trapdoor`, which kills the process on purpose (a trap) when a
        // journal entry's payload holds "trapdoor": the poison-pill breaker's test, under a real binary.
        .executableTarget(
            name: "projector-trapdoor",
            dependencies: ["ProjectorCLI", "ProjectionCore"],
            path: "Tests/TrapdoorProjector"
        ),
        .executableTarget(
            name: "projector-fuzz",
            dependencies: ["FuzzTargets"],
            path: "Tests/Fuzzing/projector-fuzz"
        ),
        // The committed fuzz corpus replayed through every oracle, and held to PostgreSQL's own parsers.
        .testTarget(
            name: "FuzzCorpusTests",
            dependencies: ["FuzzTargets", "ProjectionContract", "EventInput", "Postgres", "PostgresTestSupport"]
        ),
        .testTarget(name: "ProjectionCoreTests", dependencies: ["ProjectionCore"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "PostgresTestSupport"]),
        .testTarget(
            name: "EventLogTests",
            dependencies: ["EventLog", "Postgres", "PostgresTestSupport", "ProjectionCore"]
        ),
        .testTarget(name: "EventGeneratorTests", dependencies: ["EventGenerator"]),
        // Pure: given events, expected row changes. No database. Each read model's own tests import its target;
        // what holds for every read model iterates `ReadModels`.
        .testTarget(
            name: "ProjectionsTests",
            dependencies: [
                "ProjectionCore", "ProjectionContract", "ReadModels", "TimelineProjection", "ResultsProjection",
                "AppointmentsProjection", "ConsentProjection", "MedicationsProjection", "EventGenerator", "FuzzTargets",
            ]
        ),
        // The read models end to end: events in the log, `projector`'s engine, rows in PostgreSQL; and each one's
        // tables checked against the catalog once its schema.sql is applied. Every read model from `ReadModels`;
        // the timeline and consent by name for the tests about them.
        .testTarget(
            name: "ReadModelTests",
            dependencies: [
                "ProjectionCore", "ReadModels", "TimelineProjection", "ConsentProjection", "ProjectionEngine",
                "EventLog", "Postgres", "PostgresTestSupport", "EventGenerator", "Migrations",
            ]
        ),
        .testTarget(
            name: "ProjectionEngineTests",
            dependencies: [
                "ProjectionEngine", "ProjectionCore", "EventLog", "Postgres", "PostgresTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        // `projector` as a user runs it; `ReadModels` names the read models it checks (verify, rebuild --all).
        .testTarget(
            name: "ProjectorTests",
            dependencies: ["Postgres", "PostgresTestSupport", "ReadModels"]
        ),
        .testTarget(
            name: "ProjectorHTTPTests",
            dependencies: [
                "ProjectorHTTP",
                "PostgresTestSupport",
                // The endpoints are asked over a real socket (PostgresTestSupport's HTTPGet), not through
                // HummingbirdTesting, whose AsyncHTTPClient and BoringSSL dominated a clean build.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .enableUpcomingFeature("ExistentialAny"),
            .enableUpcomingFeature("MemberImportVisibility"),
        ]
}
