import Postgres
import ProjectionCore

/// The checkpoint of each projection in `projector.checkpoints`, advanced by compare-and-set on an owner token.
///
/// The runner that holds a projection's advisory lock claims the row with a fresh token; every batch
/// advances it only `WHERE owner = token`. A runner that lost its lock (its session died, another took
/// over) then updates zero rows and rolls its batch back, so two writers can never both advance one
/// projection (DESIGN.md, decision 8).
enum Checkpoints {
    /// Takes ownership of `projection`'s checkpoint and returns where it stands.
    static func claim(_ projection: String, owner: String, on conn: isolated Connection) throws -> LogPosition {
        let rows = try conn.query(
            """
            UPDATE projector.checkpoints SET owner = \(PostgresUUID(owner))
            WHERE projection = \(projection)
            RETURNING transaction_id::text, global_position
            """
        ).rows
        guard let row = rows.first else { throw EngineError("projection \(projection) has no checkpoint row") }
        return LogPosition(
            transactionID: try row.decode(UInt64.self, at: 0),
            globalPosition: try row.decode(Int64.self, at: 1)
        )
    }

    /// Moves the checkpoint to `position` if `owner` still owns it; call inside the batch's transaction.
    static func advance(
        _ projection: String,
        owner: String,
        to position: LogPosition,
        eventsSeen: Int,
        on conn: isolated Connection
    ) throws {
        let updated = try conn.execute(
            """
            UPDATE projector.checkpoints
            SET transaction_id = \(position.transactionID), global_position = \(position.globalPosition),
                events_seen = events_seen + \(eventsSeen), updated_at = now()
            WHERE projection = \(projection) AND owner = \(PostgresUUID(owner))
            """
        )
        guard updated == 1 else { throw LostOwnership(projection: projection) }
    }
}

/// Another instance owns the projection now: this one must stop without committing.
public struct LostOwnership: Error, Sendable, CustomStringConvertible {
    /// The projection.
    public var projection: String
    public var description: String {
        "projection \(projection) is owned by another instance now; this batch was rolled back"
    }
}
