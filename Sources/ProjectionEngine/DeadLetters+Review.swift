import EventLog
import Foundation
import Postgres
import ProjectionCore

/// What ops do with dead letters: list them, retry them after a fix, or skip them with a reason.
///
/// A retry runs the projection on the event again, as it is in the log now, and applies its changes
/// in one transaction with the dead letter's new status, so a retried event is applied exactly once.
/// Its requirements are checked against the read model as it stands. Retries go in log order.
///
/// Later events of a stream wait behind its first dead letter (category `parked-behind`; the architecture
/// article, "Parking"). Retrying that letter successfully, or skipping it, releases them in the same
/// transaction: they are applied in log order, and one that fails again becomes the stream's first, with the
/// rest behind it. A parked-behind letter is never retried or skipped on its own: it would jump its queue.
extension DeadLetters {
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
        /// For category `parked-behind`: the id of the letter of the same stream it waits (or waited) behind.
        public var behindID: Int64?
    }

    /// What a retry or a skip released: the letters that waited behind the one handled.
    public struct Release: Sendable, Equatable {
        /// Letters applied, in log order (status `retried`).
        public var applied: [Int64] = []
        /// The first of them that failed again in a category that parks: now its stream's first letter.
        public var newFirst: Int64?
        /// Letters that failed again without parking their stream (a missing precondition): parked on their own.
        public var failedAlone: [Int64] = []
        /// Letters still waiting, now behind `newFirst`.
        public var stillBehind: [Int64] = []

        public init() {}

        /// Whether every released letter applied.
        public var isComplete: Bool { newFirst == nil && failedAlone.isEmpty && stillBehind.isEmpty }

        /// Whether any letter was released (applied, failed again, or left behind a new first).
        public var handledAny: Bool { !(applied.isEmpty && isComplete) }
    }

    /// What a retry did to one dead letter.
    public struct RetryOutcome: Sendable, Equatable {
        /// The dead letter's id.
        public var id: Int64
        /// Nil when the event applied; else the reason it still fails (the letter stays parked).
        public var stillFailing: String?
        /// The letters that waited behind it and were released (nothing when it still fails and parks its stream).
        public var released = Release()
        /// How many letters still wait behind it (when it still fails).
        public var waiting = 0
    }

    /// What a skip did to one dead letter.
    public struct SkipOutcome: Sendable, Equatable {
        /// The dead letter's id.
        public var id: Int64
        /// The letters that waited behind it, released.
        public var released = Release()
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
                   to_char(handled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), handled_by, note, behind_id
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
                note: try row.decode(String?.self, at: 12),
                behindID: try row.decode(Int64?.self, at: 13)
            )
        }
    }

    /// Retries the parked dead letters `ids` of `projection` (all it can retry when `ids` is empty: every
    /// parked one not waiting behind another), in log order; each success releases the letters behind it.
    ///
    /// - Throws: `DeadLetterSelectionError`, before anything is done, when one of `ids` is not `projection`'s
    ///   or waits behind another letter.
    public static func retry(
        _ projection: any Projection,
        ids: [Int64],
        by who: String,
        on conn: Connection
    ) async throws -> [RetryOutcome] {
        try await refuse(ids, of: projection.name, on: conn)
        // An event the breaker quarantined stays a dead letter: running it would kill this process too.
        let projection = try await QuarantinedProjection.loaded(projection, on: conn)
        let layouts = try await TableLayout.loadAll(of: projection, on: conn)
        var outcomes: [RetryOutcome] = []
        for id in try await firstIDs(projection.name, ids: ids, on: conn) {
            outcomes.append(try await retryOne(id, projection: projection, layouts: layouts, by: who, on: conn))
        }
        return outcomes
    }

    /// Marks the parked dead letters `ids` of `projection` (all it can skip when empty: every parked one not
    /// waiting behind another) handled without applying them, recording who and why, in log order; each
    /// releases the letters behind it, which are applied.
    ///
    /// - Returns: the letters skipped; one no longer parked is left as it is and not returned.
    /// - Throws: `DeadLetterSelectionError`, before anything is done, as `retry` does.
    public static func skip(
        _ projection: any Projection,
        ids: [Int64],
        by who: String,
        because note: String,
        on conn: Connection
    ) async throws -> [SkipOutcome] {
        try await refuse(ids, of: projection.name, on: conn)
        // An event the breaker quarantined stays a dead letter: running it would kill this process too.
        let projection = try await QuarantinedProjection.loaded(projection, on: conn)
        let layouts = try await TableLayout.loadAll(of: projection, on: conn)
        var outcomes: [SkipOutcome] = []
        for id in try await firstIDs(projection.name, ids: ids, on: conn) {
            let skipped = try await skipOne(id, projection: projection, layouts: layouts, by: who, note: note, on: conn)
            if let skipped { outcomes.append(skipped) }
        }
        return outcomes
    }

    /// Throws `DeadLetterSelectionError` when one of `ids` names no dead letter of `projection`, or one that
    /// waits behind another letter still parked.
    ///
    /// A letter of `projection` that is no longer parked is not an error: retrying or skipping it again
    /// does nothing, so that a repeated command is harmless.
    private static func refuse(_ ids: [Int64], of projection: String, on conn: Connection) async throws {
        guard !ids.isEmpty else { return }
        var letters: [Int64: (projection: String, waitsBehind: Int64?)] = [:]
        for row in try await conn.query(
            """
            SELECT d.id, d.projection, CASE WHEN d.status = 'parked' AND f.status = 'parked' THEN f.id END
            FROM projector.dead_letters d LEFT JOIN projector.dead_letters f ON f.id = d.behind_id
            WHERE d.id = ANY(\(ids)::bigint[])
            """
        ).rows {
            letters[try row.decode(Int64.self, at: 0)] = (
                try row.decode(String.self, at: 1), try row.decode(Int64?.self, at: 2)
            )
        }
        var problems: [String] = []
        for id in Set(ids).sorted() {
            switch letters[id] {
            case nil:
                problems.append("no dead letter has id \(id)")
            case let letter? where letter.projection != projection:
                problems.append("dead letter \(id) is \(letter.projection)'s, not \(projection)'s")
            case let letter?:
                if let first = letter.waitsBehind {
                    problems.append(
                        "dead letter \(id) waits behind dead letter \(first) of its stream: retry or skip \(first), "
                            + "which releases it in order"
                    )
                }
            }
        }
        if !problems.isEmpty { throw DeadLetterSelectionError(problems: problems) }
    }

    /// The parked letters among `ids` (all of `projection`'s when empty) that wait behind no parked letter, in log order.
    private static func firstIDs(_ projection: String, ids: [Int64], on conn: Connection) async throws -> [Int64] {
        try await conn.query(
            """
            SELECT d.id FROM projector.dead_letters d LEFT JOIN projector.dead_letters f ON f.id = d.behind_id
            WHERE d.projection = \(projection) AND d.status = 'parked' AND (f.id IS NULL OR f.status <> 'parked')
              AND (cardinality(\(ids)::bigint[]) = 0 OR d.id = ANY(\(ids)::bigint[]))
            ORDER BY d.transaction_id, d.global_position
            """
        ).rows.map { try $0.decode(Int64.self, at: 0) }
    }
}

/// Some of the dead letters ops named do not exist or are another projection's; nothing was done.
public struct DeadLetterSelectionError: Error, Sendable, CustomStringConvertible {
    /// One line per id: unknown, or another projection's.
    public var problems: [String]
    public var description: String { problems.joined(separator: "; ") + "; nothing was done" }
}
