import EventGenerator
import EventLog
import Foundation
import Migrations
import Postgres
import ProjectionCore

/// The figures of one log size: appending, rebuilding, and PostgreSQL's COPY of the same rows.
public struct RebuildFigures: Sendable, Codable {
    /// Events in the log.
    public var events: Int
    /// Seconds to generate and append them (set-based, 5 000 per transaction).
    public var appendSeconds: Double
    /// Seconds for `projector run --exit-when-caught-up` to build every read model from position zero.
    public var rebuildSeconds: Double
    /// Log events per second of that rebuild.
    public var rebuildEventsPerSecond: Double
    /// Seconds to rebuild each read model alone, when there are several.
    public var rebuildSecondsAlone: [String: Double]
    /// Rows in the read models after the rebuild.
    public var rows: Int
    /// Seconds for COPY to load those rows into empty copies of the tables, with the same indexes.
    public var copySeconds: Double
    /// `copySeconds / rebuildSeconds`: our rate as a fraction of COPY's for the same final rows.
    public var ratioToCopy: Double
    /// Seconds for COPY into bare tables plus creating their indexes and constraints afterwards: the
    /// physical limit of loading those rows.
    public var bareCopyAndIndexSeconds: Double
    /// `bareCopyAndIndexSeconds / rebuildSeconds`.
    public var ratioToBareCopy: Double
    /// Peak resident memory of the rebuilding `projector` process, in bytes.
    public var peakRSSBytes: Int
    /// Seconds for `projector rebuild NAME…` of every read model at once (one pass over the log in one process), each
    /// into a new generation with its swap, while the live generation is there: what ops run.
    public var opsRebuildSeconds: Double
    /// `copySeconds / opsRebuildSeconds`.
    public var opsRatioToCopy: Double
    /// `bareCopyAndIndexSeconds / opsRebuildSeconds`.
    public var opsRatioToBareCopy: Double
    /// The peak resident memory of that `projector rebuild` process, in bytes.
    public var opsRebuildPeakRSSBytes: Int
    /// That process's CPU seconds, user and system.
    public var opsRebuildCPUSeconds: Double
    /// The machine's other busy CPU seconds meanwhile: the server's (see `SharedRebuildFigures`).
    public var opsRebuildServerCPUSeconds: Double?
    /// The same rebuild shared by several processes, by number of workers.
    public var sharedRebuilds: [SharedRebuildFigures]
}

/// Measures one log size in a fresh database.
struct RebuildMeasurement {
    let configuration: BenchConfiguration
    let projections: [BenchProjection]
    let progress: @Sendable (String) -> Void

    func run(events count: Int, database: String) async throws -> RebuildFigures {
        try await Connection.withConnection(to: database, applicationName: "projector-bench") { conn in
            try await run(events: count, on: conn, database: database)
        }
    }

    private func run(events count: Int, on conn: Connection, database: String) async throws -> RebuildFigures {
        try await Migrations.apply(on: conn)

        progress("appending \(count) generated events")
        let appendStart = ContinuousClock.now
        let events = EventGenerator(GeneratorOptions(patients: Int.max / 64, seed: 1)).prefix(count).lazy.map(
            \.appendable
        )
        try await LogWriter(connection: conn).appendMany(events, batchSize: 5_000)
        let appendSeconds = (ContinuousClock.now - appendStart).seconds
        // A rebuild in production reads a log that autovacuum has long since analysed.
        try await conn.execute("VACUUM (ANALYZE) eventlog.events")

        progress("rebuilding all read models from position zero")
        let all = try await rebuild(only: [], on: conn, database: database)
        var alone: [String: Double] = [:]
        if projections.count > 1 {
            for projection in projections {
                progress("rebuilding \(projection.name) alone")
                alone[projection.name] = try await rebuild(only: [projection.name], on: conn, database: database)
                    .seconds
            }
            _ = try await rebuild(only: [], on: conn, database: database)
        }

        progress("rebuilding every read model into a new generation with one projector rebuild")
        let ops = try await child(["rebuild", "--json"] + projections.map(\.name), database: database)

        progress("loading the same rows with COPY, with indexes, then bare and indexed afterwards")
        let copy = try await CopyBaselines(projections: projections).measure(on: conn)
        let (rows, copySeconds) = (copy.rows, copy.indexedSeconds)
        let bare = copy.bareSeconds + copy.indexSeconds
        var shared: [SharedRebuildFigures] = []
        for workers in configuration.workers {
            progress("rebuilding every read model shared by \(workers) processes (rebuild --partitions \(workers))")
            shared.append(try await sharedRebuild(workers: workers, database: database, copySeconds: copySeconds))
        }
        return RebuildFigures(
            events: count,
            appendSeconds: appendSeconds,
            rebuildSeconds: all.seconds,
            rebuildEventsPerSecond: Double(count) / all.seconds,
            rebuildSecondsAlone: alone,
            rows: rows,
            copySeconds: copySeconds,
            ratioToCopy: copySeconds / all.seconds,
            bareCopyAndIndexSeconds: bare,
            ratioToBareCopy: bare / all.seconds,
            peakRSSBytes: all.peakRSSBytes,
            opsRebuildSeconds: ops.seconds,
            opsRatioToCopy: copySeconds / ops.seconds,
            opsRatioToBareCopy: bare / ops.seconds,
            opsRebuildPeakRSSBytes: ops.peakRSSBytes,
            opsRebuildCPUSeconds: ops.cpuSeconds,
            opsRebuildServerCPUSeconds: ops.serverCPUSeconds,
            sharedRebuilds: shared
        )
    }

    /// Drops the read models (all, or `only`) and times a child `projector` rebuilding them.
    private func rebuild(
        only: [String],
        on conn: Connection,
        database: String
    ) async throws
        -> ChildRun
    {
        let names = only.isEmpty ? projections.map(\.name) : only
        for name in names {
            try await conn.execute("DROP SCHEMA IF EXISTS \(identifier: name) CASCADE")
            try await conn.execute("DELETE FROM projector.projections WHERE name = \(name)")
            try await conn.execute("DELETE FROM projector.dead_letters WHERE projection = \(name)")
        }
        return try await child(["run", "--exit-when-caught-up"] + only.flatMap { ["--only", $0] }, database: database)
    }

    /// How a child `projector` ran.
    struct ChildRun {
        var seconds: Double
        var peakRSSBytes: Int
        var cpuSeconds: Double
        /// The machine's busy CPU seconds meanwhile, less the child's.
        var serverCPUSeconds: Double?
    }

    /// Times a child `projector` with `arguments`, its peak memory and CPU, and the server's CPU.
    private func child(_ arguments: [String], database: String) async throws -> ChildRun {
        let busyBefore = MachineCPU.busySeconds()
        let start = ContinuousClock.now
        let child = try ChildProcess.spawn(
            configuration.projectorPath,
            arguments + ["--log-level", "warning"],
            environment: ["DATABASE_URL": database],
            discardingOutput: true
        )
        let exit = await child.wait()
        let seconds = (ContinuousClock.now - start).seconds
        guard exit.status == 0 else {
            throw BenchError("projector \(arguments[0]) exited with status \(exit.status)")
        }
        let busyAfter = MachineCPU.busySeconds()
        let server = busyBefore.flatMap { before in busyAfter.map { $0 - before - exit.cpuSeconds } }
        return ChildRun(
            seconds: seconds,
            peakRSSBytes: exit.peakRSSBytes,
            cpuSeconds: exit.cpuSeconds,
            serverCPUSeconds: server
        )
    }
}
