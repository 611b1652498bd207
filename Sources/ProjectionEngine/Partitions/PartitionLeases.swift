import EventLog
import Foundation
import Postgres
import ProjectionCore

/// A partition a worker holds: its lease, the builds it applies and where each stands.
struct PartitionClaim: Sendable {
    /// One build's share of the partition.
    struct Share: Sendable {
        var schema: String
        var projection: String
        var version: Int
        var schemaHash: String
        var position: LogPosition
        /// Whether its rows may go in by COPY (nothing of the partition written yet, and no key clash before).
        var bulk: Bool
    }

    var partition: LogPartition
    var target: LogPosition
    /// The token this claim set on every share's checkpoint (`PartitionCheckpoints`).
    var owner: String
    var shares: [Share]
}

/// The leases of shared rebuilds' partitions (`projector.partition_leases`): any worker takes a partition
/// nobody holds, or whose holder stopped renewing, as live ownership works (`Leases`).
///
/// A table apart from the checkpoints: a renewal must never wait behind a page's transaction, which holds
/// its checkpoint row until it commits.
enum PartitionLeases {
    /// Takes the first partition nobody holds (or whose lease lapsed) of `run` (any run when nil), and gives
    /// its unfinished shares a new owner token, so a previous holder that wakes can no longer commit. Nil
    /// when none is free.
    ///
    /// The token's update waits for the rows a previous holder's open transaction holds; a frozen one's
    /// session is ended by the server (`idle_in_transaction_session_timeout`), and until then the lock
    /// timeout fails the claim, which the worker tries again.
    static func claim(
        run: UUID?,
        holder: UUID,
        worker: String,
        lease: Duration,
        on conn: isolated Connection
    ) throws -> PartitionClaim? {
        let runID = run.map { PostgresUUID($0) }
        let leased = try conn.query(
            """
            WITH free AS (
                SELECT l.run, l.partition FROM projector.partition_leases l
                WHERE NOT l.done AND (l.holder IS NULL OR l.expires_at < now())
                  AND (\(runID)::uuid IS NULL OR l.run = \(runID)::uuid)
                ORDER BY l.holder IS NOT NULL, l.run, l.partition
                LIMIT 1 FOR UPDATE SKIP LOCKED
            )
            UPDATE projector.partition_leases l
            SET holder = \(PostgresUUID(holder)), worker = \(worker),
                expires_at = now() + make_interval(secs => \(lease.seconds)), claims = claims + 1
            FROM free, projector.partitioned_runs r
            WHERE l.run = free.run AND l.partition = free.partition AND r.run = l.run
            RETURNING l.run::text, l.partition, r.partitions, r.target_transaction_id::text, r.target_position
            """
        ).rows
        guard let row = leased.first else { return nil }
        let claimedRun = try row.decode(String.self, at: 0)
        let partition = try row.decode(Int.self, at: 1)
        guard let id = UUID(uuidString: claimedRun) else { throw EngineError("a partitioned run has a malformed id") }
        let owner = UUID().uuidString.lowercased()
        let shares = try conn.query(
            """
            UPDATE projector.build_partitions p SET owner = \(PostgresUUID(owner))
            FROM projector.builds b
            WHERE p.run = \(PostgresUUID(claimedRun)) AND p.partition = \(partition) AND NOT p.done
              AND p.failure IS NULL AND b.schema_name = p.schema_name
            RETURNING p.schema_name, b.projection, b.version, b.schema_hash, p.transaction_id::text,
                      p.global_position, p.bulk
            """
        ).rows.map { row in
            PartitionClaim.Share(
                schema: try row.decode(String.self, at: 0),
                projection: try row.decode(String.self, at: 1),
                version: try row.decode(Int.self, at: 2),
                schemaHash: try row.decode(String.self, at: 3),
                position: try row.logPosition(at: 4),
                bulk: try row.decode(Bool.self, at: 6)
            )
        }
        return PartitionClaim(
            partition: LogPartition(run: id, index: partition, count: try row.decode(Int.self, at: 2)),
            target: try row.logPosition(at: 3),
            owner: owner,
            shares: shares.sorted { $0.schema < $1.schema }
        )
    }

    /// Extends `holder`'s lease; false when it no longer holds it (it lapsed and another worker took it).
    static func renew(
        _ partition: LogPartition,
        holder: UUID,
        lease: Duration,
        on conn: isolated Connection
    ) throws -> Bool {
        try conn.execute(
            """
            UPDATE projector.partition_leases SET expires_at = now() + make_interval(secs => \(lease.seconds))
            WHERE run = \(PostgresUUID(partition.run)) AND partition = \(partition.index)
              AND holder = \(PostgresUUID(holder)) AND NOT done
            """
        ) == 1
    }

    /// Records that the claim's share of `schema` reached the target.
    static func finish(_ schema: String, of claim: PartitionClaim, on conn: isolated Connection) throws {
        try conn.execute(
            """
            UPDATE projector.build_partitions SET done = true, updated_at = now()
            WHERE schema_name = \(schema) AND partition = \(claim.partition.index) AND owner = \(PostgresUUID(claim.owner))
            """
        )
    }

    /// Records why the claim's share of `schema` failed; `bulkClash` instead turns its COPY off and leaves it
    /// to be claimed again (a key another partition wrote too).
    static func fail(
        _ schema: String,
        of claim: PartitionClaim,
        reason: String,
        bulkClash: Bool,
        on conn: isolated Connection
    ) throws {
        let failure: String? = bulkClash ? nil : reason
        try conn.execute(
            """
            UPDATE projector.build_partitions
            SET failure = \(failure), bulk = bulk AND NOT \(bulkClash), updated_at = now()
            WHERE schema_name = \(schema) AND partition = \(claim.partition.index) AND owner = \(PostgresUUID(claim.owner))
            """
        )
    }

    /// Gives the partition up: done when none of its shares is left to apply (or can be), else free for the
    /// next worker at once.
    static func release(_ claim: PartitionClaim, holder: UUID, on conn: isolated Connection) throws {
        let run = PostgresUUID(claim.partition.run)
        try conn.execute(
            """
            UPDATE projector.partition_leases l
            SET done = NOT EXISTS (SELECT 1 FROM projector.build_partitions p
                                   WHERE p.run = l.run AND p.partition = l.partition AND NOT p.done
                                     AND p.failure IS NULL),
                holder = NULL, expires_at = NULL
            WHERE l.run = \(run) AND l.partition = \(claim.partition.index)
              AND l.holder = \(PostgresUUID(holder))
            """
        )
    }

    /// Whether `run` (any run when nil) has a partition not done yet.
    static func anyLeft(run: UUID?, on conn: isolated Connection) throws -> Bool {
        let runID = run.map { PostgresUUID($0) }
        return try conn.query(
            """
            SELECT EXISTS (SELECT 1 FROM projector.partition_leases
                           WHERE NOT done AND (\(runID)::uuid IS NULL OR run = \(runID)::uuid))
            """
        ).rows[0].decode(Bool.self, at: 0)
    }
}
