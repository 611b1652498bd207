import EventLog
import Postgres
import ProjectionCore

/// The checkpoint of one partition inside one build (`projector.build_partitions`), advanced by
/// compare-and-set on the owner token its claim set (`PartitionLeases.claim`), as a build's own checkpoint is
/// (`Checkpoints`): a worker whose partition was taken over updates no row and rolls its page back.
enum PartitionCheckpoints {
    /// Where partition `partition` of the build in `schema` stands, if `owner` still owns it.
    static func claim(
        _ schema: String,
        partition: Int,
        owner: String,
        on conn: isolated Connection
    ) throws -> CheckpointClaim {
        let rows = try conn.query(
            """
            SELECT transaction_id::text, global_position FROM projector.build_partitions
            WHERE schema_name = \(schema) AND partition = \(partition) AND owner = \(PostgresUUID(owner))
            """
        ).rows
        guard let row = rows.first else {
            throw EngineError("partition \(partition) of build \(schema) is not claimed by this worker")
        }
        return CheckpointClaim(position: try row.logPosition(), paused: false, onFailure: .park)
    }

    /// The statement that moves the partition's checkpoint to `position` if `owner` still owns it; see
    /// `Checkpoints.advanceStatement`.
    static func advanceStatement(
        _ schema: String,
        partition: Int,
        owner: String,
        to position: LogPosition,
        eventsSeen: Int
    ) -> Query {
        """
        UPDATE projector.build_partitions
        SET transaction_id = \(position.transactionID), global_position = \(position.globalPosition),
            events_seen = events_seen + \(eventsSeen), updated_at = now()
        WHERE schema_name = \(schema) AND partition = \(partition) AND owner = \(PostgresUUID(owner))
        """
    }
}
