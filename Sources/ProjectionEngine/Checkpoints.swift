import EventLog
import Foundation
import Postgres
import ProjectionCore

/// What a writer learns when it claims a generation's checkpoint.
struct CheckpointClaim: Sendable {
    /// Where reading resumes.
    var position: LogPosition
    /// Whether ops paused the projection: no batch may commit until it is resumed.
    var paused: Bool
    /// What to do when an event fails.
    var onFailure: FailurePolicy
}

extension CheckpointClaim {
    /// From a row of position, `paused` and `on_failure`.
    fileprivate init(_ row: Row) throws {
        position = try row.logPosition()
        paused = try row.decode(Bool.self, at: 2)
        onFailure = FailurePolicy(rawValue: try row.decode(String.self, at: 3)) ?? .park
    }
}

/// What a projection does when an event cannot be applied.
public enum FailurePolicy: String, Sendable, Codable, CaseIterable {
    /// Dead-letter it and go on (the default).
    case park
    /// Dead-letter it, apply nothing after it, and pause the projection until ops resume it.
    case stop
}

/// The checkpoint of each generation, advanced by compare-and-set on an owner token.
///
/// The runner that holds a projection's lease (`Leases`) claims the row with a fresh token; every batch
/// advances it only `WHERE owner = token`. A runner that lost its lease (it froze, or its session died, and
/// another took over) then updates zero rows and rolls its batch back, so two writers can never both advance
/// one projection (the architecture article, "Leases and fencing"). A swap or a reset clears the token the same
/// way, which tells a running writer to claim again from the new checkpoint.
enum Checkpoints {
    /// Takes ownership of `generation`'s checkpoint and returns where it stands.
    static func claim(_ generation: Generation, owner: String, on conn: isolated Connection) throws -> CheckpointClaim {
        // A partition's checkpoint is claimed with its lease (`PartitionLeases.claim`).
        precondition(generation.partition == nil, "a partition is claimed through its lease")
        let store = GenerationStore(generation)
        let state: StaticString = store.isLive ? "paused, on_failure" : "false, 'park'"
        let rows = try conn.query(
            """
            UPDATE projector.\(identifier: store.checkpoints) SET owner = \(PostgresUUID(owner))
            WHERE \(identifier: store.keyColumn) = \(store.key)
            RETURNING transaction_id::text, global_position, \(literal: state)
            """
        ).rows
        guard let row = rows.first else { throw EngineError("\(generation) has no checkpoint row") }
        return try CheckpointClaim(row)
    }

    /// Takes ownership of `projection`'s live checkpoint if `leaseHolder` still holds its lease; nil when
    /// another instance took the lease.
    static func claim(
        _ projection: String,
        owner: String,
        leaseHolder: UUID,
        on conn: isolated Connection
    ) throws -> CheckpointClaim? {
        let rows = try conn.query(
            """
            UPDATE projector.checkpoints SET owner = \(PostgresUUID(owner))
            WHERE projection = \(projection)
              AND EXISTS (SELECT 1 FROM projector.leases l
                          WHERE l.projection = \(projection) AND l.holder = \(PostgresUUID(leaseHolder.uuidString)))
            RETURNING transaction_id::text, global_position, paused, on_failure
            """
        ).rows
        return try rows.first.map(CheckpointClaim.init)
    }

    /// Where the live generation of `projection` stands.
    static func livePosition(_ projection: String, on conn: isolated Connection) throws -> LogPosition {
        let rows = try conn.query(
            "SELECT transaction_id::text, global_position FROM projector.checkpoints WHERE projection = \(projection)"
        ).rows
        guard let row = rows.first else { throw EngineError("projection \(projection) is not installed") }
        return try row.logPosition()
    }

    /// What became of an advance.
    enum Advance: Sendable, Equatable {
        /// The checkpoint moved: the batch may commit.
        case advanced
        /// Ops paused the projection: the batch must roll back, and the writer wait for a resume.
        case paused
        /// Another claim (another instance, a swap, a reset) owns the row now: the batch must roll back.
        case lostOwnership
    }

    /// The statement that moves the checkpoint to `position` if `owner` still owns it and it is not paused; run
    /// it inside the batch's transaction, then ask `advance(_:owner:updated:on:)` what became of it: the
    /// transaction must roll back unless the answer is `.advanced`.
    static func advanceStatement(
        _ generation: Generation,
        owner: String,
        to position: LogPosition,
        eventsSeen: Int
    ) -> Query {
        if let partition = generation.partition {
            return PartitionCheckpoints.advanceStatement(
                generation.schema,
                partition: partition,
                owner: owner,
                to: position,
                eventsSeen: eventsSeen
            )
        }
        let store = GenerationStore(generation)
        let unlessPaused: StaticString = store.isLive ? "AND NOT paused" : ""
        return """
            UPDATE projector.\(identifier: store.checkpoints)
            SET transaction_id = \(position.transactionID), global_position = \(position.globalPosition),
                events_seen = events_seen + \(eventsSeen), updated_at = now()
            WHERE \(identifier: store.keyColumn) = \(store.key) AND owner = \(PostgresUUID(owner)) \(literal: unlessPaused)
            """
    }

    /// Runs `advanceStatement` and says what became of it.
    static func advance(
        _ generation: Generation,
        owner: String,
        to position: LogPosition,
        eventsSeen: Int,
        on conn: isolated Connection
    ) throws -> Advance {
        let statement = advanceStatement(generation, owner: owner, to: position, eventsSeen: eventsSeen)
        return try advance(generation, owner: owner, updated: try conn.execute(statement), on: conn)
    }

    /// What became of `advanceStatement`, which changed `updated` rows, in the same transaction.
    static func advance(
        _ generation: Generation,
        owner: String,
        updated: Int,
        on conn: isolated Connection
    ) throws -> Advance {
        if updated == 1 { return .advanced }
        guard GenerationStore(generation).isLive else { return .lostOwnership }
        // The update re-read the row after any concurrent pause or swap committed; so does this.
        let paused = try conn.query(
            """
            SELECT paused FROM projector.checkpoints
            WHERE projection = \(generation.projection) AND owner = \(PostgresUUID(owner))
            """
        ).rows.first
        if let paused, try paused.decode(Bool.self, at: 0) { return .paused }
        return .lostOwnership
    }

    /// Pauses `projection` because `letter` failed under the stop policy; call inside the batch's transaction.
    static func stop(_ projection: String, at letter: DeadLetter, on conn: isolated Connection) throws {
        let reason = "stopped at a dead letter: event \(letter.event.eventID) (\(letter.event.eventType))"
        try conn.execute(
            """
            UPDATE projector.checkpoints SET paused = true, paused_reason = \(reason), paused_by = 'policy'
            WHERE projection = \(projection)
            """
        )
    }
}

/// A checkpoint refused a batch written inside a caller's transaction (a swap's last events, a verification):
/// the caller's transaction must roll back. Writers of their own transactions get `Checkpoints.Advance` instead.
public struct CheckpointRefused: Error, Sendable, CustomStringConvertible {
    /// The generation's projection.
    public var projection: String
    /// Why: paused, or owned by another claim.
    var advance: Checkpoints.Advance
    public var description: String {
        advance == .paused
            ? "projection \(projection) is paused; this batch was rolled back"
            : "projection \(projection) is owned by another instance now, or was swapped or reset; this batch was rolled back"
    }
}
