import EventLog
import Logging
import Postgres
import ProjectionCore

/// Applies one page of events to a projection: pure changes first, then one transaction of
/// set-based writes, dead letters and the checkpoint (exactly-once effects).
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

    func apply(_ page: LogPage, on conn: Connection, logger: Logger) async throws -> Outcome {
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
                        LogKey.projection: "\(projection.name)", LogKey.position: "\(event.position)",
                        LogKey.eventID: "\(event.eventID)", LogKey.eventType: "\(event.eventType)",
                        LogKey.category: "\(error.category)", "deadletter.reason": "\(error.reason)",
                    ]
                )
            }
        }
        let changes = coalescer.changesByTable()
        let layouts = self.layouts
        let name = projection.name
        let owner = self.owner
        let end = page.end
        let eventCount = page.events.count
        let parked = letters
        return try await conn.withTransaction { conn in
            var outcome = Outcome(events: eventCount, deadLetters: parked.count)
            for (table, rows) in changes {
                guard let layout = layouts[table] else {
                    throw EngineError("projection \(name) wrote to table \(table), which it does not declare")
                }
                let counts = try TableWriter(layout: layout).write(rows, on: conn)
                outcome.statements += counts.statements
                outcome.rowsWritten += counts.rows
            }
            try DeadLetters.park(parked, projection: name, on: conn)
            try Checkpoints.advance(name, owner: owner, to: end, eventsSeen: eventCount, on: conn)
            return outcome
        }
    }
}
