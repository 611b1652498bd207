import EventGenerator
import Foundation
import Migrations
import Postgres
import ProjectionCore

/// `projector import` of a generated NDJSON file into an empty log, beside PostgreSQL's own COPY of the same
/// events into a copy of `eventlog.events` with its indexes and constraints.
public struct ImportFigures: Sendable, Codable {
    /// Events in the file.
    public var events: Int
    /// Bytes of the file.
    public var fileBytes: Int
    /// Seconds for `projector import FILE`, its check pass included.
    public var importSeconds: Double
    /// Peak resident memory of that process, in bytes.
    public var importPeakRSSBytes: Int
    /// Seconds for COPY of the imported events (their envelope columns) into the copy of the table.
    public var copySeconds: Double
    /// `copySeconds / importSeconds`: import's rate as a fraction of COPY's.
    public var ratioToCopy: Double
}

/// Measures one import in a fresh database `database`: the same generated events as the rebuild measurement.
struct ImportMeasurement {
    let configuration: BenchConfiguration
    let progress: @Sendable (String) -> Void

    func run(events count: Int, database: String) async throws -> ImportFigures {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-import-\(UUID()).ndjson")
        defer { try? FileManager.default.removeItem(at: file) }
        progress("writing \(count) generated events as NDJSON")
        let bytes = try write(count, to: file)
        return try await Connection.withConnection(to: database, applicationName: "projector-bench") { conn in
            try await Migrations.apply(on: conn)
            progress("importing them with projector import")
            let start = ContinuousClock.now
            let child = try ChildProcess.spawn(
                configuration.projectorPath,
                ["import", file.path, "--log-level", "warning"],
                environment: ["DATABASE_URL": database],
                discardingOutput: true
            )
            let exit = await child.wait()
            let importSeconds = (ContinuousClock.now - start).seconds
            guard exit.status == 0 else { throw BenchError("projector import exited with status \(exit.status)") }

            progress("loading the same events with COPY into a copy of eventlog.events")
            let columns = "stream_id, stream_position, event_id, event_type, data, metadata"
            let copy = try await CopyBaselines.export(
                "(SELECT \(columns) FROM eventlog.events ORDER BY global_position)",
                on: conn
            )
            defer { try? FileManager.default.removeItem(at: copy) }
            try await conn.execute("CREATE TABLE public.bench_import_copy (LIKE eventlog.events INCLUDING ALL)")
            let copyStart = ContinuousClock.now
            let rows = try await CopyBaselines.load(copy, into: "public.bench_import_copy (\(columns))", on: conn)
            let copySeconds = (ContinuousClock.now - copyStart).seconds
            try await conn.execute("DROP TABLE public.bench_import_copy")
            guard rows == count else { throw BenchError("import stored \(rows) of \(count) events") }
            return ImportFigures(
                events: count,
                fileBytes: bytes,
                importSeconds: importSeconds,
                importPeakRSSBytes: exit.peakRSSBytes,
                copySeconds: copySeconds,
                ratioToCopy: copySeconds / importSeconds
            )
        }
    }

    /// Writes the first `count` generated events (seed 1, as the rebuild measurement appends) to `file`.
    private func write(_ count: Int, to file: URL) throws -> Int {
        guard FileManager.default.createFile(atPath: file.path, contents: nil),
            let sink = FileHandle(forWritingAtPath: file.path)
        else { throw BenchError("cannot write \(file.path)") }
        var buffer: [UInt8] = []
        var bytes = 0
        for event in EventGenerator(GeneratorOptions(patients: Int.max / 64, seed: 1)).prefix(count) {
            buffer.append(contentsOf: event.ndjsonLine.utf8)
            buffer.append(0x0A)
            if buffer.count >= 1 << 20 {
                sink.write(Data(buffer))
                bytes += buffer.count
                buffer.removeAll(keepingCapacity: true)
            }
        }
        sink.write(Data(buffer))
        bytes += buffer.count
        try sink.close()
        return bytes
    }
}
