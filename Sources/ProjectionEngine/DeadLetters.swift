import Postgres
import ProjectionCore

/// An event a projection could not apply, as stored in `projector.dead_letters`.
struct DeadLetter: Sendable {
    var event: RecordedEvent
    var failure: ProjectionFailure
    /// The dead letter of the same stream it waits behind (category `parked-behind`); nil when it failed itself.
    var behind: FirstLetter? = nil

    /// `event`, not applied because it waits behind `first`, an earlier dead letter of its stream.
    init(parkedBehind first: FirstLetter, event: RecordedEvent) {
        self.event = event
        self.failure = ProjectionFailure(.parkedBehind, DeadLetter.parkedReason(behind: first.eventID))
        self.behind = first
    }

    init(event: RecordedEvent, failure: ProjectionFailure) {
        self.event = event
        self.failure = failure
    }

    /// The reason of a parked-behind letter: the event it waits behind, by id (never the stream).
    static func parkedReason(behind eventID: String) -> String {
        "waits behind the dead letter of event \(eventID), an earlier event of its stream"
    }
}

/// Dead letters: parked by writers (here), reviewed by ops (`DeadLetters+Review`, `DeadLetters+Release`).
public enum DeadLetters {
    /// The statement that stores `letters` of `generation`, for the batch's transaction; nil for none.
    ///
    /// A letter parked behind another of the same batch gets that one's new id: the first letters are
    /// inserted first, and the others look their first up among them (or among those stored before, when
    /// one was stored already).
    static func parkStatement(_ letters: [DeadLetter], of generation: Generation) -> Query? {
        guard !letters.isEmpty else { return nil }
        let xids = letters.map { String($0.event.position.transactionID) }
        let positions = letters.map(\.event.position.globalPosition)
        let ids = letters.map(\.event.eventID)
        let types = letters.map(\.event.eventType)
        let streams = letters.map(\.event.streamID)
        let categories = letters.map(\.failure.category.description)
        let reasons = letters.map(\.failure.reason)
        // Behind a stored letter: its id. Behind one of this batch: its event id, resolved below.
        let behindIDs = letters.map { $0.behind?.id }
        let behindEvents = letters.map { letter in letter.behind.flatMap { $0.id == nil ? $0.eventID : nil } }
        let store = GenerationStore(generation)
        return """
            WITH input AS (
                SELECT * FROM unnest(\(xids), \(positions), \(ids), \(types), \(streams), \(categories), \(reasons),
                                     \(behindIDs), \(behindEvents))
                    AS d(x, p, i, t, s, c, r, behind_id, behind_event)
            ),
            firsts AS (
                INSERT INTO projector.\(identifier: store.deadLetters)
                    (\(identifier: store.keyColumn), transaction_id, global_position, event_id, event_type, stream_id,
                     category, reason, behind_id)
                SELECT \(store.key), x::xid8, p, i::uuid, t, s, c, r, behind_id
                FROM input WHERE behind_event IS NULL
                ON CONFLICT (\(identifier: store.keyColumn), event_id) DO NOTHING
                RETURNING id, event_id
            )
            INSERT INTO projector.\(identifier: store.deadLetters)
                (\(identifier: store.keyColumn), transaction_id, global_position, event_id, event_type, stream_id,
                 category, reason, behind_id)
            SELECT \(store.key), d.x::xid8, d.p, d.i::uuid, d.t, d.s, d.c, d.r,
                   coalesce(
                       (SELECT f.id FROM firsts f WHERE f.event_id = d.behind_event::uuid),
                       (SELECT l.id FROM projector.\(identifier: store.deadLetters) l
                        WHERE l.\(identifier: store.keyColumn) = \(store.key) AND l.event_id = d.behind_event::uuid)
                   )
            FROM input d WHERE d.behind_event IS NOT NULL
            ON CONFLICT (\(identifier: store.keyColumn), event_id) DO NOTHING
            """
    }
}
