import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore

/// Replays the log into a scratch schema and compares it, row by row, with the live tables.
///
/// The scratch is built outside any long transaction up to the live checkpoint. The comparison then
/// runs in one REPEATABLE READ transaction that reads the live checkpoint, applies to the scratch the
/// events the live generation took meanwhile (so both stand at the same position in the same snapshot)
/// and compares. The scratch is dropped whatever happens; the live generation is only read.
public struct Verification: Sendable {
    /// One row that differs.
    public struct Drift: Codable, Sendable, Equatable {
        /// The table.
        public var table: String
        /// `missing` (the replay has it, live does not), `unexpected` (live only) or `differs`.
        public var kind: String
        /// The primary key, columns joined by ` | `, with any 10-digit run (an NHS number) masked.
        public var key: String
        /// The live row's `last_position`, when the table has one.
        public var livePosition: Int64?
        /// The replayed row's `last_position`, when the table has one.
        public var replayPosition: Int64?
    }

    /// What a verification found.
    public struct Report: Codable, Sendable {
        /// The projection.
        public var projection: String
        /// The log position both sides were compared at.
        public var position: String
        /// Rows compared, per table (the larger side).
        public var rows: [String: Int64]
        /// How many rows differ, per table.
        public var drifted: [String: Int64]
        /// The first differing rows, by table and key, at most the limit asked for.
        public var drift: [Drift]
        /// Dead letters the live generation has parked, and the replay parked.
        public var liveDeadLetters: Int64
        /// See `liveDeadLetters`.
        public var replayDeadLetters: Int64
        /// Whether no row differs.
        public var isClean: Bool { drifted.values.allSatisfy { $0 == 0 } }
    }

    let projection: any Projection
    let databaseURL: String?
    let configuration: RunnerConfiguration
    let logger: Logger
    /// At most this many differing rows are listed (all are counted).
    public var limit = 50
    /// Called after each batch of the replay.
    public var onProgress: @Sendable (BuildProgress) async -> Void = { _ in }

    /// A verification of `projection`.
    public init(projection: any Projection, databaseURL: String?, configuration: RunnerConfiguration, logger: Logger) {
        // One quarantine for its replay and its comparison, loaded as the replay starts.
        self.projection = QuarantinedProjection.wrap(projection)
        self.databaseURL = databaseURL
        self.configuration = configuration
        self.logger = logger
    }

    /// Replays, compares and drops the scratch; nil when cancelled first.
    public func run() async throws -> Report? {
        let scratch = Build(
            projection: projection,
            schema: "\(projection.name)__verify_\(ProcessInfo.processInfo.processIdentifier)",
            purpose: .verify
        )
        return try await Connection.withConnection(
            to: databaseURL,
            applicationName: "projector:\(projection.name):verify"
        ) { conn in
            do {
                let report = try await run(scratch, on: conn)
                try await scratch.discard(on: conn)
                return report
            } catch {
                try? await scratch.discard(on: conn)
                throw error
            }
        }
    }

    private func run(_ scratch: Build, on conn: Connection) async throws -> Report? {
        if case .changed(let change) = try await ProjectionCatalog.check(projection, on: conn) {
            throw EngineError("cannot verify: \(change); verify with the code that built the tables, or rebuild")
        }
        var scratch = scratch
        scratch.until = try await Checkpoints.livePosition(projection.name, on: conn)
        try await scratch.create(on: conn)
        let finished = try await scratch.run(
            databaseURL: databaseURL,
            configuration: configuration,
            logger: logger,
            onProgress: onProgress
        )
        guard finished else { return nil }
        return try await compare(scratch, on: conn)
    }

    /// Brings the scratch to the live checkpoint and compares, in one snapshot.
    private func compare(_ scratch: Build, on conn: Connection) async throws -> Report {
        let owner = UUID().uuidString.lowercased()
        let applier = BatchApplier(
            projection: projection,
            generation: scratch.generation,
            layouts: try await TableLayout.loadAll(of: projection, in: scratch.schema, on: conn),
            owner: owner,
            onFailure: .park
        )
        let live = try await TableLayout.loadAll(of: projection, on: conn)
        let (name, limit, tables) = (projection.name, limit, projection.tables)
        let (batchSize, pageBytes) = (configuration.batchSize, configuration.pageBytes)
        return try await conn.withTransaction { conn in
            try conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            let target = try Checkpoints.livePosition(name, on: conn)
            let position = try Checkpoints.claim(scratch.generation, owner: owner, on: conn).position
            guard position <= target else {
                throw EngineError("the live checkpoint moved back during the verification (a reset?); run it again")
            }
            // The live checkpoint is below this snapshot's watermark, so the catch-up can only fall short
            // if the log changed under us; say so rather than compare different positions.
            let reach = try applier.catchUp(
                from: position,
                until: target,
                pageSize: batchSize,
                pageBytes: pageBytes,
                on: conn
            )
            guard try reach.refusalThrown(for: name).caughtUp else {
                throw EngineError("the log did not advance to the live checkpoint; run the verification again")
            }
            var report = Report(
                projection: name,
                position: target.description,
                rows: [:],
                drifted: [:],
                drift: [],
                liveDeadLetters: 0,
                replayDeadLetters: 0
            )
            for spec in tables {
                guard let liveLayout = live[spec.name] else { continue }
                let found = try Self.differences(
                    in: spec,
                    live: liveLayout,
                    scratch: scratch.schema,
                    limit: limit,
                    on: conn
                )
                report.rows[spec.name] = found.rows
                report.drifted[spec.name] = found.count
                report.drift += found.drift
            }
            let letters = try conn.query(
                """
                SELECT (SELECT count(*) FROM projector.dead_letters WHERE projection = \(name) AND status = 'parked'),
                       (SELECT count(*) FROM projector.build_dead_letters WHERE schema_name = \(scratch.schema))
                """
            ).rows[0]
            report.liveDeadLetters = try letters.decode(Int64.self, at: 0)
            report.replayDeadLetters = try letters.decode(Int64.self, at: 1)
            report.drift = Array(report.drift.prefix(limit))
            return report
        }
    }

    /// The rows of `spec` that differ between the live schema and `scratch`, counted, and the first `limit`.
    private static func differences(
        in spec: TableSpec,
        live: TableLayout,
        scratch: String,
        limit: Int,
        on conn: isolated Connection
    ) throws -> (rows: Int64, count: Int64, drift: [Drift]) {
        let columns = live.columnTypes.keys.sorted().map(quoteIdentifier)
        let keys = spec.primaryKey.map(quoteIdentifier)
        let liveTable = live.qualifiedName
        let scratchTable = quoteIdentifier(scratch) + "." + quoteIdentifier(spec.name)
        let join = keys.map { "l.\($0) = s.\($0)" }.joined(separator: " AND ")
        let keyText =
            "concat_ws(' | ', " + keys.map { "coalesce(l.\($0), s.\($0))::text" }.joined(separator: ", ") + ")"
        let position =
            live.columnTypes["last_position"] == nil
            ? ("NULL::bigint", "NULL::bigint") : ("l.last_position", "s.last_position")
        let sql = """
            SELECT regexp_replace(\(keyText), '[0-9]{10}', '<nhs-number>', 'g'),
                   CASE WHEN l.\(keys[0]) IS NULL THEN 'missing' WHEN s.\(keys[0]) IS NULL THEN 'unexpected' ELSE 'differs' END,
                   \(position.0), \(position.1), count(*) OVER ()
            FROM \(liveTable) l FULL JOIN \(scratchTable) s ON \(join)
            WHERE ROW(\(columns.map { "l.\($0)" }.joined(separator: ", ")))
                  IS DISTINCT FROM ROW(\(columns.map { "s.\($0)" }.joined(separator: ", ")))
            ORDER BY 1
            LIMIT \(limit)
            """
        let rows = try conn.query(Query(unsafeSQL: sql)).rows
        let drift = try rows.map { row in
            Drift(
                table: spec.name,
                kind: try row.decode(String.self, at: 1),
                key: try row.decode(String.self, at: 0),
                livePosition: try row.decode(Int64?.self, at: 2),
                replayPosition: try row.decode(Int64?.self, at: 3)
            )
        }
        let total = try conn.query(
            Query(
                unsafeSQL:
                    "SELECT greatest((SELECT count(*) FROM \(liveTable)), (SELECT count(*) FROM \(scratchTable)))"
            )
        ).rows[0].decode(Int64.self, at: 0)
        return (total, try rows.first?.decode(Int64.self, at: 4) ?? 0, drift)
    }
}
