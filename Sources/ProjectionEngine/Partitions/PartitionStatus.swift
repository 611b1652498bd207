import Postgres

/// One partition of a shared rebuild, as `projector status` reports it.
public struct PartitionStatus: Sendable, Codable {
    /// The partition, 0 up to `partitions - 1`.
    public var partition: Int
    /// How many partitions its rebuild has.
    public var partitions: Int
    /// The schemas of the builds it is applied to.
    public var builds: [String]
    /// The worker holding it (host and process id), nil when none does.
    public var worker: String?
    /// Seconds until its lease lapses unless renewed; negative once lapsed (the holder stopped renewing).
    public var leaseSeconds: Double?
    /// How many times it was claimed: more than once means a worker died, froze or gave it up.
    public var claims: Int
    /// Events applied to it so far, summed over its builds.
    public var eventsSeen: Int64
    /// Whether every build has it up to the rebuild's target.
    public var done: Bool
    /// Why it failed, when it did: the rebuild fails with it.
    public var failure: String?
}

extension StatusReader {
    /// Every partition of every shared rebuild in progress, by rebuild and partition.
    public static func partitions(on conn: Connection) async throws -> [PartitionStatus] {
        try await conn.query(
            """
            SELECT l.partition, r.partitions, array_agg(p.schema_name ORDER BY p.schema_name), l.worker,
                   CASE WHEN l.holder IS NULL THEN NULL ELSE extract(epoch FROM l.expires_at - now())::float8 END,
                   l.claims, coalesce(sum(p.events_seen), 0)::bigint, l.done, min(p.failure)
            FROM projector.partition_leases l
            JOIN projector.partitioned_runs r ON r.run = l.run
            JOIN projector.build_partitions p ON p.run = l.run AND p.partition = l.partition
            GROUP BY r.created_at, l.run, l.partition, r.partitions, l.worker, l.holder, l.expires_at, l.claims, l.done
            ORDER BY r.created_at, l.run, l.partition
            """
        ).rows.map { row in
            PartitionStatus(
                partition: try row.decode(Int.self, at: 0),
                partitions: try row.decode(Int.self, at: 1),
                builds: try row.decode([String].self, at: 2),
                worker: try row.decode(String?.self, at: 3),
                leaseSeconds: try row.decode(Double?.self, at: 4),
                claims: try row.decode(Int.self, at: 5),
                eventsSeen: try row.decode(Int64.self, at: 6),
                done: try row.decode(Bool.self, at: 7),
                failure: try row.decode(String?.self, at: 8)
            )
        }
    }
}
