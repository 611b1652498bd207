import EventLog
import Postgres
import ProjectionCore

extension DeadLetters {
    /// The columns of a letter's event, in `LogReader.recordedEvent(from:)`'s order, then the letter's own.
    private static let letterColumns: StaticString = """
        e.transaction_id::text, e.global_position, e.stream_id, e.stream_position, e.event_id::text, e.event_type,
        e.data::text, e.metadata::text, e.recorded_at::text, d.id, d.category
        """

    /// Retries one letter in one transaction, and releases the letters behind it unless it still fails in a
    /// category that parks its stream.
    static func retryOne(
        _ id: Int64,
        projection: any Projection,
        layouts: [String: TableLayout],
        by who: String,
        on conn: Connection
    ) async throws -> RetryOutcome {
        try await conn.withTransaction { tx in
            let (event, parked) = try lock(id, on: tx)
            let outcome = Array(PagePlanner.outcomes(of: [event], projection: projection))[0]
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
                guard !failure.category.parksItsStream else {
                    let waiting = try tx.query(
                        """
                        SELECT count(*) FROM projector.dead_letters
                        WHERE projection = \(projection.name) AND behind_id = \(id) AND status = 'parked'
                        """
                    ).rows[0].decode(Int.self, at: 0)
                    return RetryOutcome(id: id, stillFailing: failure.reason, waiting: waiting)
                }
                // It fails now in a way that parks nothing (a missing precondition): its stream goes on.
                let released = try release(
                    behind: id,
                    projection: projection,
                    layouts: layouts,
                    by: who,
                    holdingCheckpoint: parked,
                    on: tx
                )
                return RetryOutcome(id: id, stillFailing: failure.reason, released: released)
            }
            _ = try BatchApplier.writeRows(of: plan, layouts: layouts, projection: projection.name, on: tx)
            try tx.execute(
                """
                UPDATE projector.dead_letters
                SET status = 'retried', attempts = attempts + 1, handled_at = now(), handled_by = \(who)
                WHERE id = \(id)
                """
            )
            let released = try release(
                behind: id,
                projection: projection,
                layouts: layouts,
                by: who,
                holdingCheckpoint: parked,
                on: tx
            )
            return RetryOutcome(id: id, stillFailing: nil, released: released)
        }
    }

    /// Skips one letter in one transaction and releases the letters behind it; nil when it is no longer parked.
    static func skipOne(
        _ id: Int64,
        projection: any Projection,
        layouts: [String: TableLayout],
        by who: String,
        note: String,
        on conn: Connection
    ) async throws -> SkipOutcome? {
        try await conn.withTransaction { tx in
            let updated = try tx.query(
                """
                UPDATE projector.dead_letters
                SET status = 'skipped', handled_at = now(), handled_by = \(who), note = \(note)
                WHERE id = \(id) AND status = 'parked'
                RETURNING category <> ALL(\(ProjectionFailure.Category.parkingNothing))
                """
            ).rows
            guard let row = updated.first else { return nil }
            let released = try release(
                behind: id,
                projection: projection,
                layouts: layouts,
                by: who,
                holdingCheckpoint: try row.decode(Bool.self, at: 0),
                on: tx
            )
            return SkipOutcome(id: id, released: released)
        }
    }

    /// Locks parked letter `id` and reads its event; also whether it parks its stream.
    private static func lock(_ id: Int64, on tx: isolated Connection) throws -> (RecordedEvent, parks: Bool) {
        // The row lock keeps two retries of one letter from both applying it. NO KEY UPDATE lets a batch that
        // parks an event behind it (its foreign key takes KEY SHARE) go on meanwhile.
        let rows = try tx.query(
            """
            SELECT \(literal: letterColumns)
            FROM projector.dead_letters d JOIN eventlog.events e ON e.event_id = d.event_id
            WHERE d.id = \(id) AND d.status = 'parked'
            FOR NO KEY UPDATE OF d
            """
        ).rows
        guard let row = rows.first else {
            throw EngineError("dead letter \(id) is no longer parked, or its event is not in the log")
        }
        let category = try row.decode(String.self, at: 10)
        var event = [try LogReader.recordedEvent(from: row)]
        try LogReader.attachMerges(to: &event, upTo: event[0].position, on: tx)
        return (event[0], !ProjectionFailure.Category.parkingNothing.contains(category))
    }

    /// Applies, in log order, the parked letters of `projection` that wait behind letter `first`, which was
    /// just applied, skipped, or found to park nothing; call inside that transaction.
    ///
    /// A released event that fails again in a category that parks becomes its stream's first letter, and the
    /// rest wait behind it; one that fails without parking stays parked on its own and the rest go on.
    ///
    /// A live writer may be parking more events behind `first` meanwhile, having found its stream parked:
    /// so, with `holdingCheckpoint` (whenever `first` parked its stream), this also clears the owner of the
    /// live checkpoint, as a swap or reset does. A batch that committed before that is released here too;
    /// one that did not can no longer commit, and the writer claims again and sees the stream released.
    /// No NOTIFY: the writer learns of it from its next batch, which is refused (`LostOwnership`). A NOTIFY
    /// makes a runner claim again at once, at the position its reader may have a page in flight from, and
    /// RunnerLoop then dropped every later page as stale (seen in `ParkingTests`; to fix in the runner).
    static func release(
        behind first: Int64,
        projection: any Projection,
        layouts: [String: TableLayout],
        by who: String,
        holdingCheckpoint: Bool,
        on tx: isolated Connection
    ) throws -> Release {
        let name = projection.name
        var release = Release()
        var newFirst: FirstLetter?
        var heldCheckpoint = false
        while true {
            let rows = try tx.query(
                """
                SELECT \(literal: letterColumns)
                FROM projector.dead_letters d JOIN eventlog.events e ON e.event_id = d.event_id
                WHERE d.projection = \(name) AND d.behind_id = \(first) AND d.status = 'parked'
                ORDER BY d.transaction_id, d.global_position
                FOR NO KEY UPDATE OF d
                """
            ).rows
            if rows.isEmpty {
                if heldCheckpoint || !(holdingCheckpoint || release.handledAny) { break }
                try tx.execute("SET LOCAL lock_timeout = '10s'")
                try tx.execute("UPDATE projector.checkpoints SET owner = NULL WHERE projection = \(name)")
                heldCheckpoint = true
                continue
            }
            var letters: [(id: Int64, event: RecordedEvent)] = []
            for row in rows {
                letters.append((try row.decode(Int64.self, at: 9), try LogReader.recordedEvent(from: row)))
            }
            var events = letters.map(\.event)
            try LogReader.attachMerges(to: &events, upTo: events[events.count - 1].position, on: tx)
            if let newFirst, let firstID = newFirst.id {
                let ids = letters.map(\.id)
                try tx.execute(
                    """
                    UPDATE projector.dead_letters
                    SET behind_id = \(firstID), reason = \(DeadLetter.parkedReason(behind: newFirst.eventID))
                    WHERE id = ANY(\(ids))
                    """
                )
                release.stillBehind += ids
                continue
            }
            let plan = try BatchApplier.confirm(
                BatchPlan(PagePlanner.outcomes(of: events, projection: projection), existing: nil),
                events: events,
                layouts: layouts,
                projection: projection,
                on: tx
            )
            _ = try BatchApplier.writeRows(of: plan, layouts: layouts, projection: name, on: tx)
            newFirst = try record(plan, of: letters, by: who, into: &release, on: tx)
        }
        return release
    }

    /// Stores what releasing `letters` came to, as planned by `plan`, in one statement; returns the new first
    /// letter, if one failed again in a category that parks.
    private static func record(
        _ plan: BatchPlan,
        of letters: [(id: Int64, event: RecordedEvent)],
        by who: String,
        into release: inout Release,
        on tx: isolated Connection
    ) throws -> FirstLetter? {
        let idsByEvent = Dictionary(uniqueKeysWithValues: letters.map { ($0.event.eventID, $0.id) })
        let failed = Dictionary(plan.deadLetters.map { ($0.event.eventID, $0) }, uniquingKeysWith: { a, _ in a })
        var newFirst: FirstLetter?
        var ids: [Int64] = []
        var statuses: [String] = []
        var behind: [Int64?] = []
        var categories: [String?] = []
        var reasons: [String?] = []
        for letter in letters {
            ids.append(letter.id)
            guard let dead = failed[letter.event.eventID] else {
                statuses.append("retried")
                behind.append(nil)
                categories.append(nil)
                reasons.append(nil)
                release.applied.append(letter.id)
                continue
            }
            statuses.append("parked")
            categories.append(dead.failure.category.description)
            reasons.append(dead.failure.reason)
            if let first = dead.behind {
                behind.append(first.id ?? idsByEvent[first.eventID])
                release.stillBehind.append(letter.id)
            } else {
                behind.append(nil)
                if dead.failure.category.parksItsStream {
                    newFirst = FirstLetter(id: letter.id, eventID: letter.event.eventID)
                    release.newFirst = letter.id
                } else {
                    release.failedAlone.append(letter.id)
                }
            }
        }
        try tx.execute(
            """
            UPDATE projector.dead_letters d
            SET status = u.status,
                attempts = d.attempts + CASE WHEN u.status = 'retried' OR u.behind_id IS NULL THEN 1 ELSE 0 END,
                handled_at = CASE WHEN u.status = 'retried' THEN now() END,
                handled_by = CASE WHEN u.status = 'retried' THEN \(who) END,
                behind_id = CASE WHEN u.status = 'retried' THEN d.behind_id ELSE u.behind_id END,
                category = coalesce(u.category, d.category),
                reason = coalesce(u.reason, d.reason)
            FROM unnest(\(ids), \(statuses), \(behind), \(categories), \(reasons))
                AS u(id, status, behind_id, category, reason)
            WHERE d.id = u.id
            """
        )
        return newFirst
    }
}
