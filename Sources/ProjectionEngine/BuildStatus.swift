import EventLog
import Postgres
import ProjectionCore

/// A generation being built (a rebuild before its swap, an as-of copy, a verify scratch), as
/// `projector status` reports it, with an ETA from its own rate so far.
public struct BuildStatus: Sendable, Codable {
    /// The schema it is built in.
    public var schema: String
    /// The projection whose code builds it.
    public var projection: String
    /// `rebuild`, `as-of` or `verify`.
    public var purpose: String
    /// Where it has read up to, `xid/position`.
    public var position: String
    /// Events it has handled so far.
    public var eventsSeen: Int64
    /// Events of its types still to read: up to the log's end, or to its as-of position.
    public var eventsLeft: Int64
    /// Its average rate since it started; nil before it has handled anything.
    public var eventsPerSecond: Double?
    /// `eventsLeft` at that rate; nil ("unknown") without a rate or when it has not moved for 30 s
    /// (its process may be gone; a rebuild resumes when `projector run` or `rebuild` starts again).
    public var etaSeconds: Double?
    /// When it started, RFC 3339 in UTC.
    public var startedAt: String
    /// When its position last moved, RFC 3339 in UTC.
    public var updatedAt: String
    /// Whether it started or moved in the last 30 s: some process is building it.
    public var moving: Bool
}

extension StatusReader {
    /// Every generation being built, oldest first. `projections` give the event types each one reads;
    /// a build of a projection not among them is counted against every event.
    public static func builds(of projections: [any Projection], on conn: Connection) async throws -> [BuildStatus] {
        let rows = try await conn.query(
            """
            SELECT b.schema_name, b.projection, b.purpose, b.transaction_id::text, b.global_position,
                   b.events_seen, b.until_transaction_id::text, b.until_position,
                   extract(epoch FROM u.at - b.started_at)::float8, extract(epoch FROM now() - u.at)::float8,
                   to_char(b.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   to_char(u.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   coalesce(p.seen, 0)
            FROM projector.builds b
            -- A shared build's progress is its partitions' until they all reach the target.
            LEFT JOIN (SELECT schema_name, sum(events_seen)::bigint AS seen, max(updated_at) AS at
                       FROM projector.build_partitions GROUP BY schema_name) p ON p.schema_name = b.schema_name
            CROSS JOIN LATERAL (SELECT greatest(b.updated_at, p.at) AS at) u
            ORDER BY b.started_at, b.schema_name
            """
        ).rows
        var builds: [BuildStatus] = []
        for row in rows {
            let name = try row.decode(String.self, at: 1)
            let position = try row.logPosition(at: 3)
            let untilXID = try row.decode(String?.self, at: 6)
            let untilPosition = try row.decode(Int64?.self, at: 7)
            let types = projections.first { $0.name == name }.map { $0.eventTypes.sorted() }
            let counted = try await conn.query(
                """
                SELECT count(*) FROM eventlog.events e
                WHERE (e.transaction_id, e.global_position) > (\(String(position.transactionID))::xid8,
                                                               \(position.globalPosition))
                  AND (\(untilXID)::xid8 IS NULL OR (e.transaction_id, e.global_position) <= (\(untilXID)::xid8,
                                                                                              \(untilPosition)))
                  AND (\(types)::text[] IS NULL OR e.event_type = ANY(\(types)::text[]))
                """
            ).rows[0].decode(Int64.self, at: 0)
            // Events its partitions handled are past its own checkpoint, which stays at the start until then.
            let partitionsSeen = try row.decode(Int64.self, at: 12)
            let seen = try row.decode(Int64.self, at: 5) + partitionsSeen
            let left = max(0, counted - partitionsSeen)
            let elapsed = try row.decode(Double.self, at: 8)
            let idle = try row.decode(Double.self, at: 9)
            let rate = seen > 0 && elapsed > 0 ? Double(seen) / elapsed : nil
            builds.append(
                BuildStatus(
                    schema: try row.decode(String.self, at: 0),
                    projection: name,
                    purpose: try row.decode(String.self, at: 2),
                    position: position.description,
                    eventsSeen: seen,
                    eventsLeft: left,
                    eventsPerSecond: rate,
                    etaSeconds: left == 0 ? 0 : idle < 30 ? rate.map { Double(left) / $0 } : nil,
                    startedAt: try row.decode(String.self, at: 10),
                    updatedAt: try row.decode(String.self, at: 11),
                    moving: idle < 30
                )
            )
        }
        return builds
    }
}
