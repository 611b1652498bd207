import EventLog
import Logging
import Postgres
import ProjectionCore

/// A page of events turned into what one transaction must write: coalesced row changes, dead
/// letters and the checkpoint to move to. Pure work, done while the previous batch is written.
struct PreparedBatch: Sendable {
    /// Per table, the coalesced change of each row.
    var changes: [(table: String, rows: [(key: [SQLValue], change: CoalescedChange)])]
    /// Events the projection rejected.
    var deadLetters: [DeadLetter]
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

    /// Runs the projection over `page` and coalesces the changes; no I/O.
    func prepare(_ page: LogPage, logger: Logger) -> PreparedBatch {
        var coalescer = Coalescer()
        var letters: [DeadLetter] = []
        for event in page.events {
            do {
                coalescer.add(contentsOf: try projection.changes(for: event))
            } catch {
                letters.append(DeadLetter(event: event, failure: error))
                logger.warning(
                    "event dead-lettered",
                    metadata: [
                        LogKey.position: "\(event.position)", LogKey.eventID: "\(event.eventID)",
                        LogKey.eventType: "\(event.eventType)", LogKey.category: "\(error.category)",
                        "deadletter.reason": "\(error.reason)",
                    ]
                )
            }
        }
        return PreparedBatch(
            changes: coalescer.changesByTable(),
            deadLetters: letters,
            end: page.end,
            eventCount: page.events.count,
            isCaughtUp: page.isCaughtUp
        )
    }

    /// Writes `batch` and moves the checkpoint, in one transaction on `conn`.
    ///
    /// - Throws: `LostOwnership` (inside a `TransactionError`) when another instance owns the projection now.
    func write(_ batch: PreparedBatch, on conn: Connection) async throws -> Outcome {
        let layouts = self.layouts
        let name = projection.name
        let owner = self.owner
        return try await conn.withTransaction { conn in
            var outcome = Outcome(events: batch.eventCount, deadLetters: batch.deadLetters.count)
            for (table, rows) in batch.changes {
                guard let layout = layouts[table] else {
                    throw EngineError("projection \(name) wrote to table \(table), which it does not declare")
                }
                let counts = try TableWriter(layout: layout).write(rows, on: conn)
                outcome.statements += counts.statements
                outcome.rowsWritten += counts.rows
            }
            try DeadLetters.park(batch.deadLetters, projection: name, on: conn)
            try Checkpoints.advance(name, owner: owner, to: batch.end, eventsSeen: batch.eventCount, on: conn)
            return outcome
        }
    }
}
