import Postgres

/// What the log holds, for `projector log stats` and status.
public struct LogStats: Sendable, Codable {
    /// Events in the log.
    public var events: Int64
    /// Distinct streams.
    public var streams: Int64
    /// The highest `global_position`, 0 when empty.
    public var maxPosition: Int64
    /// When the first event was stored, RFC 3339 in UTC (`2026-03-01T09:00:00.000000Z`).
    public var firstRecordedAt: String?
    /// When the last event was stored.
    public var lastRecordedAt: String?
    /// Events per type, most frequent first.
    public var byType: [TypeCount]

    /// How many events of one type.
    public struct TypeCount: Sendable, Codable {
        /// The event type.
        public var type: String
        /// How many.
        public var count: Int64
    }

    /// Reads the figures in one snapshot.
    public static func read(on connection: Connection) async throws -> LogStats {
        try await connection.withTransaction { conn in
            try conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            let totals = try conn.query(
                """
                SELECT count(*), coalesce(max(global_position), 0),
                       to_char(min(recorded_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                       to_char(max(recorded_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                       (SELECT count(*) FROM eventlog.streams WHERE version >= 0)
                FROM eventlog.events
                """
            ).rows[0]
            let types = try conn.query(
                "SELECT event_type, count(*) FROM eventlog.events GROUP BY event_type ORDER BY count(*) DESC, event_type"
            ).rows.map { row in
                TypeCount(type: try row.decode(String.self, at: 0), count: try row.decode(Int64.self, at: 1))
            }
            return LogStats(
                events: try totals.decode(Int64.self, at: 0),
                streams: try totals.decode(Int64.self, at: 4),
                maxPosition: try totals.decode(Int64.self, at: 1),
                firstRecordedAt: try totals.decode(String?.self, at: 2),
                lastRecordedAt: try totals.decode(String?.self, at: 3),
                byType: types
            )
        }
    }
}
