import EventLog
import Logging
import Postgres
import ProjectionCore

/// A page of events turned into what one transaction must write: coalesced row changes, dead
/// letters and the checkpoint to move to. Pure work, done while the previous batch is written.
struct PreparedBatch: Sendable {
    /// The rows to write and the events set aside.
    var plan: BatchPlan
    /// The page's events, for the writer to plan again (the projection is pure, so it gives the same
    /// changes) when a row `plan` assumed exists does not.
    var events: [RecordedEvent]
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
        let plan = BatchPlan(BatchApplier.outcomes(of: page.events, projection: projection), existing: nil)
        return PreparedBatch(
            plan: plan,
            events: plan.assumedRows.isEmpty ? [] : page.events,
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
            let plan = try BatchApplier.confirm(
                batch.plan,
                events: batch.events,
                layouts: layouts,
                projection: projection,
                on: conn
            )
            let counts = try BatchApplier.writeRows(of: plan, layouts: layouts, projection: name, on: conn)
            var outcome = Outcome(events: batch.eventCount, deadLetters: plan.deadLetters.count)
            outcome.statements = counts.statements
            outcome.rowsWritten = counts.rows
            try DeadLetters.park(plan.deadLetters, projection: name, on: conn)
            try Checkpoints.advance(name, owner: owner, to: batch.end, eventsSeen: batch.eventCount, on: conn)
            return (outcome, plan.deadLetters)
        }
        for letter in written.1 { log(letter, logger: logger) }
        return written.0
    }

    /// `plan` (made from `events`) once the rows it assumed exist are checked; planned again when one does not.
    static func confirm(
        _ plan: BatchPlan,
        events: [RecordedEvent],
        layouts: [String: TableLayout],
        projection: any Projection,
        on conn: isolated Connection
    ) throws -> BatchPlan {
        guard !plan.assumedRows.isEmpty else { return plan }
        var existing: Set<RowAddress> = []
        let byTable = Dictionary(grouping: plan.assumedRows, by: \.table)
        for (table, rows) in byTable {
            let writer = TableWriter(layout: try layout(of: table, in: layouts, projection: projection.name))
            for index in try writer.existing(rows.map(\.key), on: conn) { existing.insert(rows[index]) }
        }
        if existing.count == plan.assumedRows.count { return plan }
        return BatchPlan(outcomes(of: events, projection: projection), existing: existing)
    }

    /// Writes `plan`'s row changes, table by table; call inside the transaction that records the outcome.
    static func writeRows(
        of plan: BatchPlan,
        layouts: [String: TableLayout],
        projection: String,
        on conn: isolated Connection
    ) throws -> TableWriter.Counts {
        var total = TableWriter.Counts()
        for (table, rows) in plan.changes {
            let counts = try TableWriter(layout: try layout(of: table, in: layouts, projection: projection))
                .write(rows, on: conn)
            total.statements += counts.statements
            total.rows += counts.rows
        }
        return total
    }

    /// What `projection` makes of each of `events`, computed as the plan reads them.
    static func outcomes(
        of events: [RecordedEvent],
        projection: any Projection
    ) -> LazyMapSequence<[RecordedEvent], BatchPlan.Outcome> {
        events.lazy.map { event in
            BatchPlan.Outcome(
                event: event,
                changes: Result { () throws(ProjectionFailure) in try projection.changes(for: event) }
            )
        }
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
