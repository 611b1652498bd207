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
    /// Seconds for `projector run --exit-when-caught-up` to rebuild every read model from position zero.
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
    /// Peak resident memory of the rebuilding `projector` process, in bytes.
    public var peakRSSBytes: Int
}

/// Measures one log size in a fresh database.
struct RebuildMeasurement {
    let configuration: BenchConfiguration
    let projections: [BenchProjection]
    let progress: @Sendable (String) -> Void

    func run(events count: Int, database: String) async throws -> RebuildFigures {
        let conn = try await Connection.connect(to: database, applicationName: "projector-bench")
        do {
            let figures = try await run(events: count, on: conn, database: database)
            await conn.close()
            return figures
        } catch {
            await conn.close()
            throw error
        }
    }

    private func run(events count: Int, on conn: Connection, database: String) async throws -> RebuildFigures {
        try await Migrations.apply(on: conn)

        progress("appending \(count) generated events")
        let appendStart = ContinuousClock.now
        let events = EventGenerator(GeneratorOptions(patients: Int.max / 64, seed: 1)).prefix(count).lazy.map {
            NewEvent(stream: $0.stream, type: $0.type, eventID: $0.eventID, data: $0.data, metadata: $0.metadata)
        }
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

        progress("loading the same rows with COPY")
        let (rows, copySeconds) = try await copyLimit(on: conn)
        return RebuildFigures(
            events: count,
            appendSeconds: appendSeconds,
            rebuildSeconds: all.seconds,
            rebuildEventsPerSecond: Double(count) / all.seconds,
            rebuildSecondsAlone: alone,
            rows: rows,
            copySeconds: copySeconds,
            ratioToCopy: copySeconds / all.seconds,
            peakRSSBytes: all.peakRSSBytes
        )
    }

    /// Drops the read models (all, or `only`) and times a child `projector` rebuilding them.
    private func rebuild(
        only: [String],
        on conn: Connection,
        database: String
    ) async throws
        -> (seconds: Double, peakRSSBytes: Int)
    {
        let names = only.isEmpty ? projections.map(\.name) : only
        for name in names {
            try await conn.execute("DROP SCHEMA IF EXISTS \(identifier: name) CASCADE")
            try await conn.execute("DELETE FROM projector.projections WHERE name = \(name)")
            try await conn.execute("DELETE FROM projector.dead_letters WHERE projection = \(name)")
        }
        let arguments = ["run", "--exit-when-caught-up", "--log-level", "warning"] + only.flatMap { ["--only", $0] }
        let start = ContinuousClock.now
        let child = try ChildProcess.spawn(
            configuration.projectorPath,
            arguments,
            environment: ["DATABASE_URL": database]
        )
        let exit = await child.wait()
        let seconds = (ContinuousClock.now - start).seconds
        guard exit.status == 0 else { throw BenchError("projector run exited with status \(exit.status)") }
        return (seconds, exit.peakRSSBytes)
    }

    /// COPYs every read-model table out, then times COPY loading it into an empty copy with the same indexes.
    private func copyLimit(on conn: Connection) async throws -> (rows: Int, seconds: Double) {
        try await conn.execute("DROP SCHEMA IF EXISTS bench_copy CASCADE")
        try await conn.execute("CREATE SCHEMA bench_copy")
        var rows = 0
        var seconds = 0.0
        for projection in projections {
            for table in projection.tables {
                let source = quoteIdentifier(projection.name) + "." + quoteIdentifier(table)
                let target = "bench_copy." + quoteIdentifier("\(projection.name)_\(table)")
                try await conn.execute(Query(unsafeSQL: "CREATE TABLE \(target) (LIKE \(source) INCLUDING ALL)"))
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID()).copy")
                guard FileManager.default.createFile(atPath: file.path, contents: nil),
                    let sink = FileHandle(forWritingAtPath: file.path)
                else { throw BenchError("cannot write \(file.path)") }
                try await conn.copyTo(Query(unsafeSQL: "COPY \(source) TO STDOUT")) { chunk in
                    sink.write(Data(chunk))
                }
                try sink.close()
                let start = ContinuousClock.now
                rows += try await conn.copyFrom(Query(unsafeSQL: "COPY \(target) FROM STDIN")) { writer in
                    guard let input = FileHandle(forReadingAtPath: file.path) else {
                        throw BenchError("cannot read back")
                    }
                    while true {
                        let chunk = input.readData(ofLength: 1 << 20)
                        if chunk.isEmpty { break }
                        try chunk.withUnsafeBytes { try writer.writeRaw($0) }
                    }
                }
                seconds += (ContinuousClock.now - start).seconds
                try? FileManager.default.removeItem(at: file)
            }
        }
        try await conn.execute("DROP SCHEMA bench_copy CASCADE")
        return (rows, seconds)
    }
}
