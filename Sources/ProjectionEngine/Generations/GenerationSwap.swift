import EventLog
import Foundation
import Logging
import Migrations
import Postgres
import ProjectionCore

/// Puts a caught-up rebuild in place of the live generation, in one short transaction.
///
/// The transaction locks the live checkpoint row, which every live batch updates last: a batch in
/// flight commits first or waits and is refused (its owner token is cleared), so no event is applied
/// to the old tables after the swap. It applies to the new generation whatever the log gained since
/// the build caught up, hands over the checkpoint and dead letters (keeping ops' skip decisions),
/// renames the schemas, recreates the reporting views (they bind to tables, not names) and notifies
/// the live runner, which claims the checkpoint again and goes on in the new tables. Readers take no
/// lock a rename waits for: each query sees the old generation or the new one, never a mix.
public struct GenerationSwap: Sendable {
    /// What a swap did.
    public struct Result: Sendable, Codable {
        /// The live checkpoint after the swap.
        public var position: String
        /// Events the new generation has handled.
        public var eventsSeen: Int64
        /// Dead letters the new generation has parked.
        public var deadLetters: Int64
        /// The replaced generation's schema when kept; nil when dropped.
        public var keptOldSchema: String?
        /// How long the swap's transaction held the live checkpoint, in milliseconds.
        public var lockMilliseconds: Double
    }

    let projection: any Projection
    let build: Build
    let configuration: RunnerConfiguration
    let logger: Logger

    /// How many pages the swap applies inside its transaction before giving up and catching up outside it.
    static let maxPagesInSwap = 3

    /// Swaps, then drops the replaced generation unless `keepOld`.
    ///
    /// - Returns: nil when the log moved on too far to catch up inside the transaction; build more, then retry.
    func perform(on conn: Connection, keepOld: Bool) async throws -> Result? {
        let name = projection.name
        let retired = "\(name)__retired_\(Self.stamp())"
        let owner = UUID().uuidString.lowercased()
        let generation = build.generation
        let claim = try await conn.withTransaction { conn in try Checkpoints.claim(generation, owner: owner, on: conn) }
        let applier = BatchApplier(
            projection: projection,
            generation: generation,
            layouts: try await TableLayout.loadAll(of: projection, in: build.schema, on: conn),
            owner: owner,
            onFailure: .park
        )
        let (schema, batchSize, pageBytes) = (build.schema, configuration.batchSize, configuration.pageBytes)
        let started = ContinuousClock.now
        let swapped = try await conn.withTransaction { conn -> Result? in
            // A reader never waits on this transaction; a long analyst query on a reporting view would, so bound it.
            try conn.execute("SET LOCAL lock_timeout = '5s'")
            let live = try conn.query(
                "SELECT 1 FROM projector.checkpoints WHERE projection = \(name) FOR UPDATE"
            ).rows
            guard !live.isEmpty else { throw EngineError("projection \(name) is not installed; nothing to swap") }
            let caughtUp = try applier.catchUp(
                from: claim.position,
                pageSize: batchSize,
                pageBytes: pageBytes,
                maxPages: Self.maxPagesInSwap,
                on: conn
            ).refusalThrown(for: name).caughtUp
            guard caughtUp else { return nil }
            let deadLetters = try Self.handOverDeadLetters(
                of: applier.projection,
                from: schema,
                layouts: applier.layouts,
                on: conn
            )
            try conn.execute("ALTER SCHEMA \(identifier: name) RENAME TO \(identifier: retired)")
            // A kept generation is for ops to compare, not for patients: its rows are out of date, and a
            // withdrawn consent or a result entered in error may still show there. The schema is closed to
            // them, not its tables: a name is looked up once, so a query that found the old tables before this
            // commit still reads them, whereas a table's own privileges are checked as the query starts, and
            // taking those back waits for no reader (it failed one such query in a replica test). Locking the
            // tables first would wait for readers, but also cancel a replica's long readers of the old
            // generation, which a kept generation must not.
            try conn.execute(
                Query(
                    unsafeSQL: "REVOKE ALL ON SCHEMA \(quoteIdentifier(retired)) FROM projector_api, projector_analyst"
                )
            )
            try conn.execute("ALTER SCHEMA \(identifier: schema) RENAME TO \(identifier: name)")
            let row = try conn.query(
                """
                WITH breaker AS (DELETE FROM projector.breakers WHERE consumer = \(schema)),
                build AS (DELETE FROM projector.builds WHERE schema_name = \(schema) RETURNING *),
                moved AS (
                    UPDATE projector.checkpoints c
                    SET transaction_id = b.transaction_id, global_position = b.global_position,
                        events_seen = b.events_seen, owner = NULL, updated_at = now()
                    FROM build b WHERE c.projection = \(name)
                    RETURNING c.transaction_id::text, c.global_position, c.events_seen
                ),
                recorded AS (
                    UPDATE projector.projections p SET version = b.version, schema_hash = b.schema_hash, installed_at = now()
                    FROM build b WHERE p.name = \(name)
                )
                SELECT * FROM moved
                """
            ).rows[0]
            try conn.execute(
                Query(
                    unsafeSQL:
                        "COMMENT ON SCHEMA \(quoteIdentifier(retired)) IS 'A replaced generation of \(name), kept by projector rebuild --keep-old.'"
                )
            )
            try ReportingViews.install(for: name, inTransactionOn: conn)
            try conn.notify(Channels.control, payload: name)
            return Result(
                position: "\(try row.decode(UInt64.self, at: 0))/\(try row.decode(Int64.self, at: 1))",
                eventsSeen: try row.decode(Int64.self, at: 2),
                deadLetters: deadLetters,
                keptOldSchema: retired,
                lockMilliseconds: 0
            )
        }
        guard var result = swapped else { return nil }
        let held = ContinuousClock.now - started
        result.lockMilliseconds = held.seconds * 1000
        logger.notice(
            "new generation swapped in",
            metadata: [LogKey.checkpoint: "\(result.position)", "swap.milliseconds": "\(Int(result.lockMilliseconds))"]
        )
        if !keepOld {
            // The swap has committed: whatever becomes of the drop, the new generation is live.
            result.keptOldSchema =
                await Self.drop(retired, tables: projection.tables.map(\.name), on: conn, logger: logger)
                ? nil : retired
        }
        return result
    }

    /// Replaces the projection's dead letters with the build's; a letter ops skipped stays skipped.
    ///
    /// Letters parked behind another keep their link (the build's ids are replaced by the new ones). Letters
    /// parked behind one that ops had skipped are released into the new generation's tables (`layouts`), as
    /// the skip released them in the old one.
    ///
    /// - Returns: the parked letters after that.
    private static func handOverDeadLetters(
        of projection: any Projection,
        from schema: String,
        layouts: [String: TableLayout],
        on conn: isolated Connection
    ) throws -> Int64 {
        let name = projection.name
        try conn.execute(
            """
            CREATE TEMPORARY TABLE skipped_decisions ON COMMIT DROP AS
            SELECT event_id, handled_at, handled_by, note FROM projector.dead_letters
            WHERE projection = \(name) AND status = 'skipped'
            """
        )
        try conn.execute("DELETE FROM projector.dead_letters WHERE projection = \(name)")
        try conn.execute(
            """
            INSERT INTO projector.dead_letters
                (projection, transaction_id, global_position, event_id, event_type, stream_id, category, reason,
                 failed_at, status, handled_at, handled_by, note)
            SELECT \(name), b.transaction_id, b.global_position, b.event_id, b.event_type, b.stream_id, b.category,
                   b.reason, b.failed_at, CASE WHEN s.event_id IS NULL THEN 'parked' ELSE 'skipped' END,
                   s.handled_at, s.handled_by, s.note
            FROM projector.build_dead_letters b LEFT JOIN skipped_decisions s USING (event_id)
            WHERE b.schema_name = \(schema)
            """
        )
        try conn.execute(
            """
            UPDATE projector.dead_letters d SET behind_id = f.id
            FROM projector.build_dead_letters b
            JOIN projector.build_dead_letters bf ON bf.id = b.behind_id
            JOIN projector.dead_letters f ON f.projection = \(name) AND f.event_id = bf.event_id
            WHERE b.schema_name = \(schema) AND d.projection = \(name) AND d.event_id = b.event_id
            """
        )
        let skippedFirsts = try conn.query(
            """
            SELECT f.id FROM projector.dead_letters f
            WHERE f.projection = \(name) AND f.status = 'skipped'
              AND EXISTS (SELECT 1 FROM projector.dead_letters d WHERE d.behind_id = f.id AND d.status = 'parked')
            ORDER BY f.transaction_id, f.global_position
            """
        ).rows.map { try $0.decode(Int64.self, at: 0) }
        for first in skippedFirsts {
            _ = try DeadLetters.release(
                behind: first,
                projection: projection,
                layouts: layouts,
                by: "projector rebuild",
                holdingCheckpoint: true,
                on: conn
            )
        }
        return try conn.query(
            "SELECT count(*) FROM projector.dead_letters WHERE projection = \(name) AND status = 'parked'"
        ).rows[0].decode(Int64.self, at: 0)
    }

    /// Drops a replaced generation, waiting for readers still on it; false when it could not, or was
    /// cancelled first (Ctrl-C after the swap committed), and the generation is kept.
    ///
    /// The tables are locked first, in the order the projection declares them, which is the order its readers
    /// take them in (a query's own tables, then `merged_numbers` through `patient_numbers`). `DROP SCHEMA` alone
    /// locks them in creation order, `merged_numbers` first, and a reader holding `entries` and waiting for
    /// `merged_numbers` then deadlocked with it; on a replica, with the startup process replaying the drop.
    ///
    /// The generation may be an older version's, without some of the tables this code declares (an upgrade):
    /// those it has are locked, in that order.
    private static func drop(_ schema: String, tables: [String], on conn: Connection, logger: Logger) async -> Bool {
        for attempt in 1...5 {
            do {
                try await conn.withTransaction { conn in
                    try conn.execute("SET LOCAL lock_timeout = '5s'")
                    let present = try conn.query(
                        """
                        SELECT t.name FROM unnest(\(tables)::text[]) WITH ORDINALITY AS t(name, n)
                        WHERE to_regclass(quote_ident(\(schema)) || '.' || quote_ident(t.name)) IS NOT NULL
                        ORDER BY t.n
                        """
                    ).rows.map { try $0.decode(String.self, at: 0) }
                    if !present.isEmpty {
                        let qualified = present.map { quoteIdentifier(schema) + "." + quoteIdentifier($0) }
                        try conn.execute(
                            Query(unsafeSQL: "LOCK TABLE \(qualified.joined(separator: ", ")) IN ACCESS EXCLUSIVE MODE")
                        )
                    }
                    try conn.execute("DROP SCHEMA \(identifier: schema) CASCADE")
                }
                return true
            } catch {
                logger.warning(
                    "old generation not dropped yet",
                    metadata: ["attempt": "\(attempt)", "error": "\(error)"]
                )
                guard (try? await Task.sleep(for: .seconds(1))) != nil else { break }
            }
        }
        logger.error(
            "old generation kept: drop it by hand once its readers are gone",
            metadata: ["schema": "\(schema)"]
        )
        return false
    }

    /// A UTC time stamp for a schema name, to the second.
    private static func stamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'_'HHmmss"
        return formatter.string(from: Date())
    }
}
