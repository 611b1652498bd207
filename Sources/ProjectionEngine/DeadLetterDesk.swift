import EventLog
import Foundation
import Postgres
import ProjectionCore

/// What ops do with dead letters: list them, retry them after a fix, or skip them with a reason.
///
/// A retry runs the projection on the event again, as it is in the log now, and applies its changes
/// in one transaction with the dead letter's new status, so a retried event is applied exactly once.
/// Its requirements are checked against the read model as it stands. Retries go in log order, so a
/// stream's parked events replay in their order.
public enum DeadLetterDesk {
    /// One dead letter, as ops see it: no stream id (it embeds patient identifiers), no payload.
    public struct Letter: Codable, Sendable, Equatable {
        public var id: Int64
        public var projection: String
        public var globalPosition: Int64
        public var eventID: String
        public var eventType: String
        public var category: String
        public var reason: String
        public var status: String
        public var attempts: Int
        /// When it failed, RFC 3339 in UTC.
        public var failedAt: String
        /// When ops retried or skipped it, RFC 3339 in UTC.
        public var handledAt: String?
        public var handledBy: String?
        public var note: String?
    }

    /// What a retry did to one dead letter.
    public struct RetryOutcome: Sendable, Equatable {
        /// The dead letter's id.
        public var id: Int64
        /// Nil when the event applied; else the reason it still fails (the letter stays parked).
        public var stillFailing: String?
    }

    /// Dead letters, oldest first; `projection` and `status` narrow the list when given.
    public static func list(
        projection: String?,
        status: String?,
        limit: Int,
        on conn: Connection
    ) async throws -> [Letter] {
        try await conn.query(
            """
            SELECT id, projection, global_position, event_id::text, event_type, category, reason, status, attempts,
                   to_char(failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   to_char(handled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), handled_by, note
            FROM projector.dead_letters
            WHERE (\(projection)::text IS NULL OR projection = \(projection))
              AND (\(status)::text IS NULL OR status = \(status))
            ORDER BY projection, global_position
            LIMIT \(limit)
            """
        ).rows.map { row in
            Letter(
                id: try row.decode(Int64.self, at: 0),
                projection: try row.decode(String.self, at: 1),
                globalPosition: try row.decode(Int64.self, at: 2),
                eventID: try row.decode(String.self, at: 3),
                eventType: try row.decode(String.self, at: 4),
                category: try row.decode(String.self, at: 5),
                reason: try row.decode(String.self, at: 6),
                status: try row.decode(String.self, at: 7),
                attempts: try row.decode(Int.self, at: 8),
                failedAt: try row.decode(String.self, at: 9),
                handledAt: try row.decode(String?.self, at: 10),
                handledBy: try row.decode(String?.self, at: 11),
                note: try row.decode(String?.self, at: 12)
            )
        }
    }

    /// Retries the parked dead letters `ids` of `projection` (all its parked ones when `ids` is empty), in log order.
    public static func retry(
        _ projection: any Projection,
        ids: [Int64],
        by who: String,
        on conn: Connection
    ) async throws -> [RetryOutcome] {
        try await refuseUnknown(ids, of: projection.name, on: conn)
        let layouts = try await TableLayout.loadAll(of: projection, on: conn)
        let parked = try await parkedIDs(projection.name, ids: ids, on: conn)
        var outcomes: [RetryOutcome] = []
        for id in parked {
            outcomes.append(try await retryOne(id, projection: projection, layouts: layouts, by: who, on: conn))
        }
        return outcomes
    }

    /// Marks the parked dead letters `ids` of `projection` (all its parked ones when empty) handled without
    /// applying them, recording who and why. Returns how many were skipped.
    public static func skip(
        projection: String,
        ids: [Int64],
        by who: String,
        because note: String,
        on conn: Connection
    ) async throws -> Int {
        try await refuseUnknown(ids, of: projection, on: conn)
        return try await conn.query(
            """
            UPDATE projector.dead_letters
            SET status = 'skipped', handled_at = now(), handled_by = \(who), note = \(note)
            WHERE projection = \(projection) AND status = 'parked'
              AND (cardinality(\(ids)::bigint[]) = 0 OR id = ANY(\(ids)::bigint[]))
            """
        ).affectedRows
    }

    /// Throws `DeadLetterSelectionError` when one of `ids` names no dead letter of `projection`.
    ///
    /// A letter of `projection` that is no longer parked is not an error: retrying or skipping it again
    /// does nothing, so that a repeated command is harmless.
    private static func refuseUnknown(_ ids: [Int64], of projection: String, on conn: Connection) async throws {
        guard !ids.isEmpty else { return }
        let owners = try await conn.query(
            "SELECT id, projection FROM projector.dead_letters WHERE id = ANY(\(ids)::bigint[])"
        ).rows.reduce(into: [Int64: String]()) { owners, row in
            owners[try row.decode(Int64.self, at: 0)] = try row.decode(String.self, at: 1)
        }
        var problems: [String] = []
        for id in Set(ids).sorted() {
            switch owners[id] {
            case nil: problems.append("no dead letter has id \(id)")
            case projection: continue
            case let other?: problems.append("dead letter \(id) is \(other)'s, not \(projection)'s")
            }
        }
        if !problems.isEmpty { throw DeadLetterSelectionError(problems: problems) }
    }

    private static func parkedIDs(_ projection: String, ids: [Int64], on conn: Connection) async throws -> [Int64] {
        try await conn.query(
            """
            SELECT id FROM projector.dead_letters
            WHERE projection = \(projection) AND status = 'parked'
              AND (cardinality(\(ids)::bigint[]) = 0 OR id = ANY(\(ids)::bigint[]))
            ORDER BY transaction_id, global_position
            """
        ).rows.map { try $0.decode(Int64.self, at: 0) }
    }

    private static func retryOne(
        _ id: Int64,
        projection: any Projection,
        layouts: [String: TableLayout],
        by who: String,
        on conn: Connection
    ) async throws -> RetryOutcome {
        try await conn.withTransaction { tx in
            // The row lock keeps two retries of one letter from both applying it.
            let rows = try tx.query(
                """
                SELECT e.transaction_id::text, e.global_position, e.stream_id, e.stream_position, e.event_id::text,
                       e.event_type, e.data::text, e.metadata::text, e.recorded_at::text
                FROM projector.dead_letters d JOIN eventlog.events e ON e.event_id = d.event_id
                WHERE d.id = \(id) AND d.status = 'parked'
                FOR UPDATE OF d
                """
            ).rows
            guard let row = rows.first else {
                throw EngineError("dead letter \(id) is no longer parked, or its event is not in the log")
            }
            let event = try LogReader.recordedEvent(from: row)
            let outcome = BatchPlan.Outcome(
                event: event,
                changes: Result { () throws(ProjectionFailure) in try projection.changes(for: event) }
            )
            let plan = try BatchApplier.confirm(
                BatchPlan([outcome], existing: nil),
                events: [event],
                layouts: layouts,
                projection: projection,
                on: tx
            )
            if let failure = plan.deadLetters.first?.failure {
                try tx.execute(
                    """
                    UPDATE projector.dead_letters
                    SET attempts = attempts + 1, category = \(failure.category.description), reason = \(failure.reason)
                    WHERE id = \(id)
                    """
                )
                return RetryOutcome(id: id, stillFailing: failure.reason)
            }
            _ = try BatchApplier.writeRows(of: plan, layouts: layouts, projection: projection.name, on: tx)
            try tx.execute(
                """
                UPDATE projector.dead_letters
                SET status = 'retried', attempts = attempts + 1, handled_at = now(), handled_by = \(who)
                WHERE id = \(id)
                """
            )
            return RetryOutcome(id: id, stillFailing: nil)
        }
    }
}

/// Some of the dead letters ops named do not exist or are another projection's; nothing was done.
public struct DeadLetterSelectionError: Error, Sendable, CustomStringConvertible {
    /// One line per id: unknown, or another projection's.
    public var problems: [String]
    public var description: String { problems.joined(separator: "; ") + "; nothing was done" }
}
