import Postgres

/// Refuses to read a log whose transaction ids come from another cluster.
///
/// `xid8` values belong to one cluster. After a dump and restore into another, new events could get
/// lower transaction ids than old ones and sort before existing checkpoints: they would be skipped.
enum ClusterCheck {
    static func verify(on conn: isolated Connection) throws {
        let row = try conn.query(
            """
            SELECT coalesce((SELECT max(transaction_id) FROM eventlog.events) >= pg_snapshot_xmax(pg_current_snapshot()),
                            false)
            """
        ).rows[0]
        if try row.decode(Bool.self, at: 0) {
            throw EngineError(
                """
                the event log holds transaction ids ahead of this PostgreSQL cluster's: it was restored from \
                another cluster, and new events would sort before old checkpoints and be skipped. Refusing to run. \
                Remedy: see "Restoring the event log into another cluster" in the README (advance the cluster's \
                transaction id epoch with pg_resetwal -e before starting it)
                """
            )
        }
    }
}
