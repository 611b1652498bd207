import Postgres
import ProjectionCore
import Synchronization

/// The dead letter a stream's later events wait behind (the architecture article, "Parking").
struct FirstLetter: Sendable, Hashable {
    /// Its id in the generation's dead-letter table; nil while it is an event of the batch being planned.
    var id: Int64?
    /// Its event's id: how a batch finds it before it has an id, and what logs name.
    var eventID: String
}

extension ProjectionFailure.Category {
    /// Whether a dead letter of this category parks the later events of its stream.
    ///
    /// A missing precondition does not: the event changed nothing, and what it waits for (the booking of
    /// a cancelled appointment, the grant of a withdrawn consent) usually comes later in its own stream,
    /// so parking that behind it would leave ops nothing to do but skip it.
    var parksItsStream: Bool { self != .missingPrecondition && self != .parkedBehind }

    /// The categories that park nothing, for SQL.
    static let parkingNothing = [missingPrecondition.description, parkedBehind.description]
}

/// What one writer of a generation (one `BatchApplier`, made per claim) knows of the streams the
/// generation has parked, so that a batch asks the database only while some stream is parked.
///
/// Dead letters of a generation appear only through its writer's own batches; ops' retries and skips
/// only release them, and they clear the writer's claim when they do (`DeadLetters`), so the next
/// claim starts with a new `ParkedStreams`. "None" therefore stays true until this writer parks a
/// stream itself. While it is not known to be none, each batch looks its streams up in one query.
final class ParkedStreams: Sendable {
    private enum Knowledge { case unknown, none, some }
    private let state = Mutex<(knowledge: Knowledge, parkings: Int)>((.unknown, 0))

    init() {}

    /// The streams among `streams` (a batch's events' streams) that `generation` parked before this batch,
    /// each with the letter it waits behind; empty, without a query, when the generation is known to have
    /// parked none.
    ///
    /// - Returns: also whether the database was asked.
    func lookUp(
        _ streams: [String],
        of generation: Generation,
        on conn: isolated Connection
    ) throws -> (streams: [String: FirstLetter], asked: Bool) {
        let before = state.withLock { $0 }
        guard before.knowledge != .none, !streams.isEmpty else { return ([:], false) }
        let streams = Array(Set(streams))
        let store = GenerationStore(generation)
        let parkingNothing = ProjectionFailure.Category.parkingNothing
        // One row per parked stream of the batch (the latest first letter of a stream parked before
        // this engine linked letters), and a row of NULLs when the generation has parked no stream at all.
        let rows = try conn.query(
            """
            SELECT f.stream_id, f.id, f.event_id FROM (
                SELECT DISTINCT ON (stream_id) stream_id, id, event_id::text AS event_id
                FROM projector.\(identifier: store.deadLetters)
                WHERE \(identifier: store.keyColumn) = \(store.key) AND \(literal: store.mayPark)
                  AND behind_id IS NULL AND category <> ALL(\(parkingNothing)) AND stream_id = ANY(\(streams))
                ORDER BY stream_id, transaction_id DESC, global_position DESC
            ) f
            UNION ALL
            SELECT NULL, NULL, NULL WHERE NOT EXISTS (
                SELECT 1 FROM projector.\(identifier: store.deadLetters)
                WHERE \(identifier: store.keyColumn) = \(store.key) AND \(literal: store.mayPark)
                  AND behind_id IS NULL AND category <> ALL(\(parkingNothing))
            )
            """
        ).rows
        var parked: [String: FirstLetter] = [:]
        var noneAtAll = false
        for row in rows {
            guard let stream = try row.decode(String?.self, at: 0) else {
                noneAtAll = true
                continue
            }
            parked[stream] = FirstLetter(
                id: try row.decode(Int64.self, at: 1),
                eventID: try row.decode(String.self, at: 2)
            )
        }
        state.withLock { now in
            // A batch of this writer that parked meanwhile wins over what this query saw.
            guard now.parkings == before.parkings else { return }
            now.knowledge = noneAtAll ? .none : .some
        }
        return (parked, true)
    }

    /// Notes that a batch parked a stream: until a lookup finds none again, every batch looks its streams up.
    ///
    /// Called before the batch commits; if it rolls back, the next batches merely ask once more than needed.
    func parkedSome() {
        state.withLock { now in
            now.knowledge = .some
            now.parkings += 1
        }
    }
}
