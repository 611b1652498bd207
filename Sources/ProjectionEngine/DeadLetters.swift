import Postgres
import ProjectionCore

/// An event a projection could not apply, as stored in `projector.dead_letters`.
struct DeadLetter: Sendable {
    var event: RecordedEvent
    var failure: ProjectionFailure
}

/// Writes dead letters.
enum DeadLetters {
    /// Stores `letters` of `generation` in one statement; call inside the batch's transaction.
    static func park(_ letters: [DeadLetter], of generation: Generation, on conn: isolated Connection) throws {
        guard !letters.isEmpty else { return }
        let xids = letters.map { String($0.event.position.transactionID) }
        let positions = letters.map(\.event.position.globalPosition)
        let ids = letters.map(\.event.eventID)
        let types = letters.map(\.event.eventType)
        let streams = letters.map(\.event.streamID)
        let categories = letters.map(\.failure.category.description)
        let reasons = letters.map(\.failure.reason)
        let store = GenerationStore(generation)
        try conn.execute(
            """
            INSERT INTO projector.\(identifier: store.deadLetters)
                (\(identifier: store.keyColumn), transaction_id, global_position, event_id, event_type, stream_id,
                 category, reason)
            SELECT \(store.key), x::xid8, p, i::uuid, t, s, c, r
            FROM unnest(\(xids), \(positions), \(ids), \(types), \(streams), \(categories), \(reasons))
                AS d(x, p, i, t, s, c, r)
            ON CONFLICT (\(identifier: store.keyColumn), event_id) DO NOTHING
            """
        )
    }
}
