import EventLog
import Postgres
import ProjectionCore

/// The checkpoint of one partition inside one build (`projector.build_partitions`), advanced by
/// compare-and-set on the owner token its claim set (`PartitionLeases.claim`, which also reads where it
/// stands), as a build's own checkpoint is (`Checkpoints`): a worker whose partition was taken over updates
/// no row and rolls its page back.
enum PartitionCheckpoints {
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
