import Postgres

/// Refuses a database whose log or checkpoints hold transaction ids from another cluster.
///
/// `xid8` values belong to one cluster. After a dump and restore into another, new events get
/// transaction ids that may sort before the restored log's, or after the log's but before a
/// checkpoint's (a checkpoint can stand past the log's last event, at the watermark). Either way,
/// they would never be projected. Every id the log and the checkpoints hold must therefore be below
/// the cluster's next transaction id; the remedy is to advance the cluster's epoch (`pg_resetwal -e`).
public enum ClusterCheck {
    /// Throws `RestoredClusterError` when the log or a checkpoint holds a transaction id at or above
    /// the cluster's next one. Tables not created yet (an unmigrated database) are left out. Throws
    /// `EngineError` on a server older than `minimumServerVersion`.
    public static func check(on conn: Connection) async throws {
        try await conn.withTransaction { conn in try check(inTransactionOn: conn) }
    }

    /// The oldest server this code reads: 14, for `pg_column_compression`, with which a page is bounded by
    /// bytes (`LogReader`); `xid8` and `pg_current_snapshot` need 13.
    static let minimumServerVersion = 140_000

    /// The check, inside a transaction the caller holds.
    static func check(inTransactionOn conn: isolated Connection) throws {
        let version = try conn.query("SELECT current_setting('server_version_num')::int").rows[0]
            .decode(Int.self, at: 0)
        guard version >= minimumServerVersion else {
            throw EngineError("PostgreSQL 14 or later is needed; this server is version \(version / 10_000)")
        }
        let present = try conn.query(
            """
            SELECT to_regclass('eventlog.events') IS NOT NULL, to_regclass('projector.checkpoints') IS NOT NULL,
                   to_regclass('projector.builds') IS NOT NULL
            """
        ).rows[0]
        var sources: [String] = []
        if try present.decode(Bool.self, at: 0) { sources.append("(SELECT max(transaction_id) FROM eventlog.events)") }
        if try present.decode(Bool.self, at: 1) {
            sources.append("(SELECT max(transaction_id) FROM projector.checkpoints)")
        }
        // An as-of build's until_transaction_id is what ops typed, not an id of this log: left out.
        if try present.decode(Bool.self, at: 2) { sources.append("(SELECT max(transaction_id) FROM projector.builds)") }
        guard !sources.isEmpty else { return }
        let row = try conn.query(
            Query(
                unsafeSQL: """
                    SELECT pg_snapshot_xmax(pg_current_snapshot())::text,
                           coalesce(greatest(\(sources.joined(separator: ", "))), '0')::text
                    """
            )
        ).rows[0]
        let next = try row.decode(UInt64.self, at: 0)
        let highest = try row.decode(UInt64.self, at: 1)
        if highest >= next { throw RestoredClusterError(nextTransactionID: next, highestHeld: highest) }
    }
}

/// The database was restored from another cluster whose transaction ids are ahead of this one's.
public struct RestoredClusterError: Error, Sendable, CustomStringConvertible {
    /// The cluster's next transaction id (`xid8`).
    public var nextTransactionID: UInt64
    /// The highest transaction id in the log and the checkpoints.
    public var highestHeld: UInt64

    /// The smallest epoch that puts every new transaction id above `highestHeld`: `pg_resetwal -e` takes it.
    public var requiredEpoch: UInt64 { (highestHeld >> 32) + 1 }

    public var description: String {
        """
        the event log or a checkpoint holds transaction id \(highestHeld), at or above this PostgreSQL \
        cluster's next one (\(nextTransactionID)): the database was restored from another cluster, and new \
        events would sort before what was already projected and never be projected. Refusing to read or \
        write the log or the checkpoints. Remedy: stop this server, run pg_resetwal -e \(requiredEpoch) \
        on its data directory, start it again (the operations guide, "Restoring a dump")
        """
    }
}
