import EventLog
import Foundation
import Postgres
import ProjectionCore

/// The poison-pill breaker's statements on `projector.breakers` and `projector.quarantined_events` (the
/// architecture article, "The poison-pill breaker").
///
/// The normal path pays one statement per claim (`start`), none per page: what was in flight when a process
/// died is bounded by the pipeline (a page written, one queued, one being planned), so the next holder works
/// it out from the checkpoint instead of every page recording it.
enum Breaker {
    /// This process, as the holder of the builds it runs (a live runner holds its projections as its lease holder).
    static let processHolder = UUID()

    /// Records `holder` as applying `consumer`'s events from `checkpoint` on, and returns what it must do first.
    static func start(
        _ consumer: String,
        holder: UUID,
        at checkpoint: LogPosition,
        on conn: Connection
    ) async throws -> BreakerDecision {
        try await conn.withTransaction { conn in
            try conn.execute(
                "INSERT INTO projector.breakers (consumer) VALUES (\(consumer)) ON CONFLICT (consumer) DO NOTHING"
            )
            let row = try conn.query(
                """
                SELECT holder::text, death_transaction_id::text, death_global_position, deaths,
                       pass_transaction_id::text, pass_global_position, pass_limit,
                       pass_until_transaction_id::text, pass_until_global_position, strikes,
                       pass_planned, write_deaths
                FROM projector.breakers WHERE consumer = \(consumer) FOR UPDATE
                """
            ).rows[0]
            let (decision, next) = try BreakerRecord(row).decide(for: holder, at: checkpoint)
            try conn.execute(
                """
                UPDATE projector.breakers
                SET holder = \(PostgresUUID(holder.uuidString)),
                    death_transaction_id = \(next.deathAt.map { String($0.transactionID) })::xid8,
                    death_global_position = \(next.deathAt?.globalPosition), deaths = \(next.deaths),
                    pass_transaction_id = \(next.pass.map { String($0.after.transactionID) })::xid8,
                    pass_global_position = \(next.pass?.after.globalPosition), pass_limit = \(next.pass?.limit),
                    pass_until_transaction_id = \(next.pass?.until.map { String($0.transactionID) })::xid8,
                    pass_until_global_position = \(next.pass?.until?.globalPosition),
                    pass_planned = \(next.pass?.planned ?? false),
                    strikes = \(next.strikes), write_deaths = \(next.writeDeaths), updated_at = now()
                WHERE consumer = \(consumer)
                """
            )
            return decision
        }
    }

    /// Records the page a replay has read and is about to decode and apply, committed before it is: a process
    /// that dies in it leaves it here. Not flushed to disk: it must outlive the process, not the server.
    static func mark(_ consumer: String, _ pass: BreakerRecord.Pass, on conn: Connection) async throws {
        try await conn.withTransaction { conn in
            try conn.execute("SET LOCAL synchronous_commit = off")
            try conn.execute(
                """
                UPDATE projector.breakers
                SET strikes = CASE WHEN (pass_transaction_id, pass_global_position)
                                        = (\(String(pass.after.transactionID))::xid8, \(pass.after.globalPosition))
                                   THEN strikes ELSE 0 END,
                    write_deaths = CASE WHEN (pass_transaction_id, pass_global_position)
                                        = (\(String(pass.after.transactionID))::xid8, \(pass.after.globalPosition))
                                   THEN write_deaths ELSE 0 END,
                    pass_planned = false,
                    pass_transaction_id = \(String(pass.after.transactionID))::xid8,
                    pass_global_position = \(pass.after.globalPosition), pass_limit = \(pass.limit),
                    pass_until_transaction_id = \(pass.until.map { String($0.transactionID) })::xid8,
                    pass_until_global_position = \(pass.until?.globalPosition), updated_at = now()
                WHERE consumer = \(consumer)
                """
            )
        }
    }

    /// The projection's code returned for the event in flight: a death from here on came while writing it.
    static func planned(_ consumer: String, on conn: Connection) async throws {
        try await conn.withTransaction { conn in
            try conn.execute("SET LOCAL synchronous_commit = off")
            try conn.execute("UPDATE projector.breakers SET pass_planned = true WHERE consumer = \(consumer)")
        }
    }

    /// A replay got to its end: nothing is in flight any more.
    static func finishPass(_ consumer: String, on conn: Connection) async throws {
        try await conn.execute(
            """
            UPDATE projector.breakers
            SET pass_transaction_id = NULL, pass_global_position = NULL, pass_limit = NULL,
                pass_until_transaction_id = NULL, pass_until_global_position = NULL, pass_planned = false,
                strikes = 0, write_deaths = 0, updated_at = now()
            WHERE consumer = \(consumer)
            """
        )
    }

    /// `holder` stopped applying `consumers`' events cleanly (a shutdown): the next holder has nothing to fear.
    static func end(_ consumers: [String], holder: UUID, inTransactionOn conn: isolated Connection) throws {
        guard !consumers.isEmpty else { return }
        try conn.execute(
            """
            UPDATE projector.breakers SET holder = NULL, updated_at = now()
            WHERE consumer = ANY(\(consumers)) AND holder = \(PostgresUUID(holder.uuidString))
            """
        )
    }

    /// Forgets a build's record: it was swapped in or dropped, and a later build of the same name starts afresh.
    static func forget(_ consumer: String, inTransactionOn conn: isolated Connection) throws {
        try conn.execute("DELETE FROM projector.breakers WHERE consumer = \(consumer)")
    }

    /// Where one full page of `projection`'s events after `position` ends: how far a careful replay goes
    /// when holders died twice at `position`. The log's last such event when fewer follow; nil when none.
    ///
    /// Positions only, no payload: nothing here runs the code that may have killed the process.
    static func pageEnd(
        after position: LogPosition,
        of projection: any Projection,
        events: Int,
        on conn: Connection
    ) async throws -> LogPosition? {
        try await conn.query(
            """
            SELECT transaction_id::text, global_position FROM (
                SELECT transaction_id, global_position FROM eventlog.events
                WHERE (transaction_id, global_position) > (\(String(position.transactionID))::xid8, \(position.globalPosition))
                  AND event_type = ANY(\(projection.eventTypes.sorted())::text[])
                ORDER BY transaction_id, global_position LIMIT \(events)
            ) page
            ORDER BY transaction_id DESC, global_position DESC LIMIT 1
            """
        ).rows.first?.logPosition()
    }

    /// Quarantines the first of `projection`'s events after `position` for its code's version, found by
    /// `consumer`; returns its id (nil when there is none). Positions and ids only, no payload.
    static func quarantine(
        after position: LogPosition,
        of projection: any Projection,
        foundBy consumer: String,
        on conn: Connection
    ) async throws -> String? {
        try await conn.query(
            """
            INSERT INTO projector.quarantined_events
                (projection, version, event_id, transaction_id, global_position, consumer)
            SELECT \(projection.name), \(projection.version), event_id, transaction_id, global_position, \(consumer)
            FROM eventlog.events
            WHERE (transaction_id, global_position) > (\(String(position.transactionID))::xid8, \(position.globalPosition))
              AND event_type = ANY(\(projection.eventTypes.sorted())::text[])
            ORDER BY transaction_id, global_position LIMIT 1
            ON CONFLICT DO NOTHING
            RETURNING event_id::text
            """
        ).rows.first?.decode(String.self, at: 0)
    }
}

extension BreakerRecord {
    /// From the columns `Breaker.start` selects.
    fileprivate init(_ row: Row) throws {
        holder = try row.decode(String?.self, at: 0).flatMap(UUID.init(uuidString:))
        if let xid = try row.decode(UInt64?.self, at: 1), let position = try row.decode(Int64?.self, at: 2) {
            deathAt = LogPosition(transactionID: xid, globalPosition: position)
        }
        deaths = try row.decode(Int.self, at: 3)
        if let xid = try row.decode(UInt64?.self, at: 4), let position = try row.decode(Int64?.self, at: 5),
            let limit = try row.decode(Int?.self, at: 6)
        {
            var until: LogPosition?
            if let untilXID = try row.decode(UInt64?.self, at: 7),
                let untilPosition = try row.decode(Int64?.self, at: 8)
            {
                until = LogPosition(transactionID: untilXID, globalPosition: untilPosition)
            }
            pass = Pass(
                after: LogPosition(transactionID: xid, globalPosition: position),
                limit: limit,
                until: until,
                planned: try row.decode(Bool.self, at: 10)
            )
        }
        strikes = try row.decode(Int.self, at: 9)
        writeDeaths = try row.decode(Int.self, at: 11)
    }
}
