import EventLog
import Foundation
import Postgres
import ProjectionCore

/// How a shared rebuild splits the log: its target position, its partitions, and the streams it places
/// itself (migration 0019; the architecture article, "Partitioned builds").
///
/// Every read model's rows for one patient must be written by one partition, in log order, with every event
/// of each of the patient's streams (parking is per stream). A patient is an NHS number or, once records
/// are merged, every number merged with it. So the plan:
///
/// 1. fixes the target: the log's end now (every transaction below the snapshot's xmin has finished);
/// 2. groups the numbers that any merge event up to the target joins, valid or not (a group larger than
///    the contract's merges only puts more patients together, which is always safe, and needs no contract);
/// 3. places, in `projector.partition_streams`, every stream whose events do not all hash to one patient's
///    partition: the streams of merged patients (with their group), and streams whose events name several
///    patients (a contract violation, dead-lettered, but still kept whole). Every other stream's partition
///    is worked out from each event alone, by the reader (`LogPartition`).
///
/// The plan reads the log once on the server, payloads included (the patient is in the payload for
/// `appointment-`, `laborder-` and `medication-` streams), and keeps only what it places.
enum PartitionPlan {
    /// Plans a run of `partitions` partitions for `schemas` (builds created, none written yet), up to the
    /// log's end, and creates their partition rows; returns the run.
    static func create(
        for schemas: [String],
        partitions: Int,
        on conn: Connection
    ) async throws -> (run: UUID, target: LogPosition) {
        precondition((2...1024).contains(partitions), "partitions are 2 to 1024")
        let run = UUID()
        let runID = PostgresUUID(run)
        return try await conn.withTransaction { conn in
            let target = try logEnd(on: conn)
            let (xid, position) = (target.transactionID, target.globalPosition)
            try conn.execute(
                """
                INSERT INTO projector.partitioned_runs (run, partitions, target_transaction_id, target_position)
                VALUES (\(runID), \(partitions), \(String(xid))::xid8, \(position))
                """
            )
            try conn.execute(
                """
                INSERT INTO projector.partition_leases (run, partition)
                SELECT \(runID), p FROM generate_series(0, \(partitions) - 1) p
                """
            )
            try conn.execute(
                """
                INSERT INTO projector.build_partitions (schema_name, partition, run)
                SELECT s, p, \(runID) FROM unnest(\(schemas)::text[]) s, generate_series(0, \(partitions) - 1) p
                """
            )
            let groups = try mergeGroups(upTo: target, on: conn)
            try conn.execute(
                "CREATE TEMPORARY TABLE merge_groups (nhs_number text PRIMARY KEY, grp text) ON COMMIT DROP"
            )
            try conn.execute(
                """
                INSERT INTO pg_temp.merge_groups SELECT * FROM unnest(\(Array(groups.keys))::text[], \(Array(groups.values))::text[])
                """
            )
            try conn.execute("ANALYZE pg_temp.merge_groups")
            try placeStreams(run: runID, partitions: partitions, upTo: target, on: conn)
            return (run, target)
        }
    }

    /// The log's end for a reader now: every transaction below the snapshot's xmin has finished.
    static func logEnd(on conn: isolated Connection) throws -> LogPosition {
        let row = try conn.query(
            """
            SELECT pg_snapshot_xmin(pg_current_snapshot())::text,
                   coalesce((SELECT max(global_position) FROM eventlog.events), 0)
            """
        ).rows[0]
        let xmin = try row.decode(UInt64.self, at: 0)
        return LogPosition(transactionID: max(xmin, 1) - 1, globalPosition: try row.decode(Int64.self, at: 1))
    }

    /// Every number some merge event up to `target` names, mapped to its group's smallest number; numbers no
    /// merge names are absent (each its own group).
    static func mergeGroups(upTo target: LogPosition, on conn: isolated Connection) throws -> [String: String] {
        let rows = try conn.query(
            """
            SELECT data ->> 'retainedNhsNumber', data ->> 'supersededNhsNumber' FROM eventlog.events
            WHERE event_type = 'PatientRecordsMerged'
              AND (transaction_id, global_position) <= (\(String(target.transactionID))::xid8, \(target.globalPosition))
            """
        ).rows
        var groups = NumberGroups()
        for row in rows {
            // A merge missing a number merges nothing; its projections dead-letter it.
            guard let retained = try row.decode(String?.self, at: 0),
                let superseded = try row.decode(String?.self, at: 1)
            else { continue }
            groups.join(retained, superseded)
        }
        return groups.representatives()
    }

    /// Records the streams whose events do not all hash to their patient's partition: those of merged
    /// patients, placed with their group, and those whose events name several patients, placed with the
    /// smallest group they name. A stream named after a patient names only that patient, so only the streams
    /// that name their patient in the payload are read (1.4 s for the 1M-event log, about 4 % of a build).
    private static func placeStreams(
        run: PostgresUUID,
        partitions: Int,
        upTo target: LogPosition,
        on conn: isolated Connection
    ) throws {
        let (xid, position) = (String(target.transactionID), target.globalPosition)
        try conn.execute(
            """
            INSERT INTO projector.partition_streams (run, stream_id, partition)
            SELECT \(run), s.stream_id, projector.partition_of(g.grp, \(partitions)::integer)
            FROM pg_temp.merge_groups g
            JOIN eventlog.streams s ON projector.stream_patient(s.stream_id) = g.nhs_number
            UNION ALL
            SELECT \(run), e.stream_id, projector.partition_of(min(coalesce(g.grp, k.key)), \(partitions)::integer)
            FROM eventlog.events e
            CROSS JOIN LATERAL (SELECT projector.patient_key(e.stream_id, e.data) AS key) k
            LEFT JOIN pg_temp.merge_groups g ON g.nhs_number = k.key
            WHERE projector.stream_patient(e.stream_id) IS NULL
              AND (e.transaction_id, e.global_position) <= (\(xid)::xid8, \(position))
            GROUP BY e.stream_id
            HAVING bool_or(g.nhs_number IS NOT NULL) OR min(k.key) <> max(k.key)
            """
        )
    }
}

/// Numbers joined into groups (union-find), each group named by its smallest number.
struct NumberGroups {
    private var parent: [String: String] = [:]

    /// Puts `a` and `b` in one group.
    mutating func join(_ a: String, _ b: String) {
        let (rootA, rootB) = (root(a), root(b))
        guard rootA != rootB else { return }
        // The smaller number roots the group, so the name does not depend on the order of the joins.
        if rootA < rootB { parent[rootB] = rootA } else { parent[rootA] = rootB }
    }

    /// Each number joined so far, mapped to its group's name.
    func representatives() -> [String: String] {
        var result: [String: String] = [:]
        for number in parent.keys { result[number] = find(number) }
        return result
    }

    private mutating func root(_ number: String) -> String {
        if parent[number] == nil { parent[number] = number }
        let found = find(number)
        // Path compression: the next look-up is one step.
        parent[number] = found
        return found
    }

    private func find(_ number: String) -> String {
        var current = number
        while let next = parent[current], next != current { current = next }
        return current
    }
}
