import EventLog
import Logging
import Postgres
import ProjectionCore

/// A page of events turned into what one transaction must write: coalesced row changes, dead
/// letters and the checkpoint to move to. Pure work, done while the previous batch is written.
struct PreparedBatch: Sendable {
    /// The rows to write and the events set aside.
    var plan: BatchPlan
    /// What the projection made of each event, kept only when `plan` assumed rows exist, so the
    /// writer can plan again if one does not.
    var outcomes: [BatchPlan.Outcome]
    /// Where the checkpoint moves when the batch commits.
    var end: LogPosition
    /// How many events the page held.
    var eventCount: Int
    /// Whether every committed event was read once this batch is written.
    var isCaughtUp: Bool
}

/// Applies pages of events to a projection: pure changes first (`prepare`), then one transaction of
/// set-based writes, dead letters and the checkpoint (`write`), for exactly-once effects.
struct BatchApplier: Sendable {
    let projection: any Projection
    let layouts: [String: TableLayout]
    let owner: String

    /// What one batch did.
    struct Outcome: Sendable {
        var events = 0
        var deadLetters = 0
        var rowsWritten = 0
        var statements = 0
    }

    /// Runs the projection over `page` and plans the writes; no I/O.
    func prepare(_ page: LogPage) -> PreparedBatch {
        let outcomes = page.events.map { event in
            BatchPlan.Outcome(
                event: event,
                changes: Result { () throws(ProjectionFailure) in try projection.changes(for: event) }
            )
        }
        let plan = BatchPlan(outcomes, existing: nil)
        return PreparedBatch(
            plan: plan,
            outcomes: plan.assumedRows.isEmpty ? [] : outcomes,
            end: page.end,
            eventCount: page.events.count,
            isCaughtUp: page.isCaughtUp
        )
    }

    /// Writes `batch` and moves the checkpoint, in one transaction on `conn`.
    ///
    /// - Throws: `LostOwnership` (inside a `TransactionError`) when another instance owns the projection now.
    func write(_ batch: PreparedBatch, on conn: Connection, logger: Logger) async throws -> Outcome {
        let layouts = self.layouts
        let name = projection.name
        let owner = self.owner
        let written = try await conn.withTransaction { conn in
            let plan = try BatchApplier.confirm(batch, layouts: layouts, projection: name, on: conn)
            var outcome = Outcome(events: batch.eventCount, deadLetters: plan.deadLetters.count)
            for (table, rows) in plan.changes {
                let counts = try TableWriter(layout: try BatchApplier.layout(of: table, in: layouts, projection: name))
                    .write(rows, on: conn)
                outcome.statements += counts.statements
                outcome.rowsWritten += counts.rows
            }
            try DeadLetters.park(plan.deadLetters, projection: name, on: conn)
            try Checkpoints.advance(name, owner: owner, to: batch.end, eventsSeen: batch.eventCount, on: conn)
            return (outcome, plan.deadLetters)
        }
        for letter in written.1 { log(letter, logger: logger) }
        return written.0
    }

    /// `batch`'s plan once the rows it assumed exist are checked; planned again when one does not.
    static func confirm(
        _ batch: PreparedBatch,
        layouts: [String: TableLayout],
        projection: String,
        on conn: isolated Connection
    ) throws -> BatchPlan {
        guard !batch.plan.assumedRows.isEmpty else { return batch.plan }
        var existing: Set<RowAddress> = []
        let byTable = Dictionary(grouping: batch.plan.assumedRows, by: \.table)
        for (table, rows) in byTable {
            let writer = TableWriter(layout: try layout(of: table, in: layouts, projection: projection))
            for index in try writer.existing(rows.map(\.key), on: conn) { existing.insert(rows[index]) }
        }
        if existing.count == batch.plan.assumedRows.count { return batch.plan }
        return BatchPlan(batch.outcomes, existing: existing)
    }

    static func layout(of table: String, in layouts: [String: TableLayout], projection: String) throws -> TableLayout {
        guard let layout = layouts[table] else {
            throw EngineError("projection \(projection) wrote to table \(table), which it does not declare")
        }
        return layout
    }

    /// Logs a dead letter by position, id, type and reason; never the stream or the payload.
    private func log(_ letter: DeadLetter, logger: Logger) {
        logger.warning(
            "event dead-lettered",
            metadata: [
                LogKey.position: "\(letter.event.position)", LogKey.eventID: "\(letter.event.eventID)",
                LogKey.eventType: "\(letter.event.eventType)", LogKey.category: "\(letter.failure.category)",
                "deadletter.reason": "\(letter.failure.reason)",
            ]
        )
    }
}
