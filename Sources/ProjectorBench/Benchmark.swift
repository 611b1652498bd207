import Foundation
import Postgres
import ProjectionCore

/// Everything one `projector bench` run measured: one line of a results file (`ResultsFile`).
public struct BenchReport: Sendable, Codable {
    /// When the run started, RFC 3339 in UTC to the second.
    public var date: String
    /// The commit measured, as `--commit` gave it; absent when not given.
    public var commit: String?
    /// What the run was asked to measure.
    public var options: BenchOptions
    /// Where it ran.
    public var machine: MachineInfo
    /// One entry per log size.
    public var rebuilds: [RebuildFigures]
    /// The live measurements, on the first log size: each rate with each `synchronous_commit` setting.
    public var live: [LiveLagFigures]
    /// `projector import` of the first log size's events beside COPY; absent from runs before it was measured.
    public var imported: ImportFigures?
}

/// The benchmark's own settings, as a results line records them.
public struct BenchOptions: Sendable, Codable {
    /// Log sizes, in events.
    public var events: [Int]
    /// Append rates of the live measurements, in events per second.
    public var rates: [Int]
    /// The live runner's `synchronous_commit` settings, in the order measured.
    public var synchronousCommits: [Bool]
    /// How long each live measurement appended, in seconds.
    public var durationSeconds: Double
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
        try await Connection.withConnection(to: configuration.adminConninfo, applicationName: "projector-bench") {
            admin in try await run(admin: admin)
        }
    }

    private func run(admin: Connection) async throws -> BenchReport {
        let date = Date.now.formatted(.iso8601)
        let machine = try await MachineInfo.read(on: admin)
        var rebuilds: [RebuildFigures] = []
        var live: [LiveLagFigures] = []
        var imported: ImportFigures?
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
            if index == 0 {
                let importName = "projector_bench_import"
                try await admin.execute("DROP DATABASE IF EXISTS \(identifier: importName) WITH (FORCE)")
                try await admin.execute("CREATE DATABASE \(identifier: importName)")
                progress("[\(count) events] import, in database \(importName)")
                imported = try await ImportMeasurement(configuration: configuration, progress: progress)
                    .run(
                        events: count,
                        database: try Conninfo.withDatabase(importName, in: configuration.adminConninfo)
                    )
                if !configuration.keepDatabases {
                    try await admin.execute("DROP DATABASE \(identifier: importName) WITH (FORCE)")
                }
            }
        }
        guard !rebuilds.isEmpty else { throw BenchError("no log size given") }
        let options = BenchOptions(
            events: configuration.eventCounts,
            rates: configuration.rates,
            synchronousCommits: configuration.synchronousCommits,
            durationSeconds: configuration.duration.seconds
        )
        return BenchReport(
            date: date,
            commit: configuration.commit,
            options: options,
            machine: machine,
            rebuilds: rebuilds,
            live: live,
            imported: imported
        )
    }
}
