import Foundation
import Postgres

/// Everything one `projector bench` run measured.
public struct BenchReport: Sendable, Codable {
    /// Where it ran.
    public var machine: MachineInfo
    /// One entry per log size.
    public var rebuilds: [RebuildFigures]
    /// The live measurements, on the first log size: each rate with each `synchronous_commit` setting.
    public var live: [LiveLagFigures]
}

/// Runs the measurements of `projector bench` in fresh databases and reports them.
public struct Benchmark: Sendable {
    let configuration: BenchConfiguration
    let projections: [BenchProjection]
    let progress: @Sendable (String) -> Void

    /// A benchmark of `projections` as `configuration` says; `progress` receives one line per step.
    public init(
        configuration: BenchConfiguration,
        projections: [BenchProjection],
        progress: @escaping @Sendable (String) -> Void
    ) {
        self.configuration = configuration
        self.projections = projections
        self.progress = progress
    }

    /// Measures every log size, then the live lag on the first; drops its databases unless asked to keep them.
    public func run() async throws -> BenchReport {
        let admin = try await Connection.connect(to: configuration.adminConninfo, applicationName: "projector-bench")
        let machine = try await MachineInfo.read(on: admin)
        var rebuilds: [RebuildFigures] = []
        var live: [LiveLagFigures] = []
        for (index, count) in configuration.eventCounts.enumerated() {
            let name = "projector_bench_\(count)"
            try await admin.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
            try await admin.execute("CREATE DATABASE \(identifier: name)")
            let database = try Conninfo.withDatabase(name, in: configuration.adminConninfo)
            progress("[\(count) events] in database \(name)")
            rebuilds.append(
                try await RebuildMeasurement(configuration: configuration, projections: projections, progress: progress)
                    .run(events: count, database: database)
            )
            if index == 0 {
                for rate in configuration.rates {
                    for synchronousCommit in configuration.synchronousCommits {
                        live.append(
                            try await LiveLagMeasurement(
                                configuration: configuration,
                                rate: rate,
                                synchronousCommit: synchronousCommit,
                                // Events of its own for each run: the log skips an event id it holds already.
                                seed: UInt64(2 + live.count),
                                progress: progress
                            ).run(database: database)
                        )
                    }
                }
            }
            if !configuration.keepDatabases {
                try await admin.execute("DROP DATABASE \(identifier: name) WITH (FORCE)")
            }
        }
        await admin.close()
        guard !rebuilds.isEmpty else { throw BenchError("no log size given") }
        return BenchReport(machine: machine, rebuilds: rebuilds, live: live)
    }
}
