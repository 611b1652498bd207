import Postgres
import ProjectionCore

extension MergeLog {
    /// The log's merge events up to `end`: those this session read before, and any after them.
    ///
    /// Only finished transactions are read (below the snapshot's xmin), as pages are, so a merge whose
    /// transaction is still open is not taken as absent for good: the list then ends before `end`, below that
    /// transaction, and the next call reads on from there. Pages end below the xmin they were read with, so
    /// the list always covers every event of the page it is attached to.
    static func current(upTo end: LogPosition, on conn: isolated Connection) throws(PostgresError) -> MergeLog {
        let key = ObjectIdentifier(MergeLog.self)
        let known = conn.sessionCache[key] as? MergeLog ?? .empty
        guard end > known.end else { return known }
        let rows = try conn.query(
            """
            SELECT x.xmin::text, e.transaction_id::text, e.global_position, e.stream_id, e.stream_position,
                   e.event_id::text, e.event_type, e.data::text, e.metadata::text, e.recorded_at::text
            FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) x
            LEFT JOIN eventlog.events e
              ON e.event_type = 'PatientRecordsMerged'
             AND (e.transaction_id, e.global_position)
                 > (\(String(known.end.transactionID))::xid8, \(known.end.globalPosition))
             AND (e.transaction_id, e.global_position) <= (\(String(end.transactionID))::xid8, \(end.globalPosition))
             AND e.transaction_id < x.xmin
            ORDER BY e.transaction_id, e.global_position
            """
        ).rows
        var more: [Entry] = []
        for row in rows where row[1] != nil {
            more.append(try LogReader.recordedEvent(from: row, at: 1))
        }
        let xmin = try rows[0].decode(UInt64.self, at: 0)
        let finished = LogPosition(transactionID: max(xmin, 1) - 1, globalPosition: .max)
        let merges = known.extended(with: more, to: max(known.end, min(end, finished)))
        conn.sessionCache[key] = merges
        return merges
    }
}
