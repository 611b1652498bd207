import Postgres
import ProjectionCore

/// A page of events read after a position, and where the next read starts.
public struct LogPage: Sendable {
    /// The events, in log order (`transaction_id`, `global_position`).
    public var events: [RecordedEvent]
    /// Where the next read starts: the last event's position when the page is full, else the
    /// watermark below which every transaction has finished, so events of other types are passed.
    public var end: LogPosition
    /// Whether the page was full, so more events may follow at once.
    public var isFull: Bool
    /// Whether committed events wait behind a transaction still open (at or above the snapshot's xmin):
    /// the reader is held back by it, not caught up.
    public var isHeldBack: Bool

    /// Whether every committed event after the start position has been returned.
    public var isCaughtUp: Bool { !isFull && !isHeldBack }
}

/// Reads the log in order without ever skipping an event whose transaction is still in flight.
///
/// A `global_position` is taken before commit, so position 101 can be visible while 100 is not yet.
/// The reader only returns events of transactions below the snapshot's xmin (all finished) and orders
/// by `(transaction_id, global_position)`, so a later read never finds an event before its checkpoint
/// (the architecture article, "The log and its watermark"). A long-open transaction therefore delays
/// readers; it never makes them lose events.
public struct LogReader: Sendable {
    /// The connection reads run on.
    public let connection: Connection

    /// A reader on `connection`.
    public init(connection: Connection) {
        self.connection = connection
    }

    /// The most bytes of payload and metadata a page holds unless its first event alone is larger: what
    /// bounds a reader's memory when events are large. 8 MiB is about 4,000 events of 2 KB, so pages of
    /// ordinary events are bounded by their count (2,000 by default), not by this.
    public static let defaultMaxBytes = 8 << 20

    /// Up to `limit` events after `position`, only of `types` when given, none after `until` when given, and
    /// no more of them than fit in `maxBytes` (but always the first).
    public func read(
        after position: LogPosition,
        types: Set<String>? = nil,
        limit: Int,
        maxBytes: Int = LogReader.defaultMaxBytes,
        until: LogPosition? = nil,
        partition: LogPartition? = nil
    ) async throws(PostgresError)
        -> LogPage
    {
        try await LogReader.read(
            after: position,
            types: types,
            limit: limit,
            maxBytes: maxBytes,
            until: until,
            partition: partition,
            on: connection
        )
    }

    /// `read(after:types:limit:maxBytes:until:)` on `conn`, inside a transaction the caller holds (a swap, a verify).
    ///
    /// With `until`, the log is treated as ending there: the page ends at `until` at the latest and is
    /// caught up once it gets there, even while later events are being appended.
    ///
    /// The byte bound is applied by the server before the page is sent, in two steps. An event's stored size
    /// (`pg_column_size`) costs nothing to read, and is near its text's size unless the value is compressed,
    /// and compressed JSON can be 85 times smaller than its text (measured: 100 KB of one character stored in
    /// 1.2 KB). So events are first cut by their stored sizes, a compressed one's counted 16 times, and then,
    /// of those left, by their text's size, which the server works out (turning the value into text) only
    /// for compressed values: at most a sixteenth of the bound of compressed bytes is measured that way,
    /// about 45 MB of text at that ratio for 8 MiB, never a whole page's worth of the log. The bound is near,
    /// not exact: an uncompressed value's text can be larger than its stored form (separators, escapes). The
    /// events left out are always a suffix of the page, which then counts as full: the next read starts
    /// after its last event.
    ///
    /// With `partition`, only that partition's events are returned; the page's end is still the log's, so a
    /// partition with no event for a while is caught up all the same.
    ///
    /// Each event carries the log's merge events up to the page's end (`RecordedEvent.merges`).
    public static func read(
        after position: LogPosition,
        types: Set<String>? = nil,
        limit: Int,
        maxBytes: Int = LogReader.defaultMaxBytes,
        until: LogPosition? = nil,
        partition: LogPartition? = nil,
        on conn: isolated Connection
    ) throws(PostgresError) -> LogPage {
        var page = try readPage(
            after: position,
            types: types,
            limit: limit,
            maxBytes: maxBytes,
            until: until,
            partition: partition,
            on: conn
        )
        try attachMerges(to: &page.events, upTo: page.end, on: conn)
        return page
    }

    /// Sets every event's `merges` to the log's merges up to `end`, which is at or after the last event: for
    /// events read other than by `read` or `events(at:)` (a dead letter's, with its letter).
    public static func attachMerges(
        to events: inout [RecordedEvent],
        upTo end: LogPosition,
        on conn: isolated Connection
    ) throws(PostgresError) {
        guard !events.isEmpty else { return }
        let merges = try MergeLog.current(upTo: end, on: conn)
        for index in events.indices { events[index].merges = merges }
    }

    private static func readPage(
        after position: LogPosition,
        types: Set<String>?,
        limit: Int,
        maxBytes: Int,
        until: LogPosition?,
        partition: LogPartition?,
        on conn: isolated Connection
    ) throws(PostgresError) -> LogPage {
        let typeList = types.map { $0.sorted() }
        let run = partition?.runID
        let untilXID = until.map { String($0.transactionID) }
        let budget = Int64(max(1, maxBytes))
        let result = try conn.query(
            """
            WITH snap AS MATERIALIZED (
                SELECT x.xmin,
                       (SELECT max(global_position) FROM eventlog.events) AS max_position,
                       EXISTS (SELECT 1 FROM eventlog.events h WHERE h.transaction_id >= x.xmin) AS held_back
                FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) x
            )
            SELECT snap.xmin::text, snap.max_position, snap.held_back, page.*
            FROM snap LEFT JOIN LATERAL (
                SELECT b.transaction_id::text, b.global_position, b.stream_id, b.stream_position,
                       b.event_id::text, b.event_type, b.data::text, b.metadata::text, b.recorded_at::text,
                       b.next_stored IS NOT NULL AS more_left_out
                FROM (
                    SELECT t.*, sum(t.text_bytes) OVER w - t.text_bytes AS before
                    FROM (
                        SELECT s.*,
                               CASE WHEN s.compressed THEN octet_length(s.data::text) + octet_length(s.metadata::text)
                                    ELSE s.stored END AS text_bytes
                        FROM (
                            SELECT c.*, lead(c.global_position) OVER w AS next_stored,
                                   sum(c.weight) OVER w - c.weight AS weight_before
                            FROM (
                                SELECT e.*, z.stored, z.compressed,
                                       CASE WHEN z.compressed THEN z.stored * 16 ELSE z.stored END AS weight
                                FROM eventlog.events e, LATERAL (
                                    SELECT pg_column_size(e.data) + pg_column_size(e.metadata) AS stored,
                                           pg_column_compression(e.data) IS NOT NULL
                                           OR pg_column_compression(e.metadata) IS NOT NULL AS compressed
                                ) z
                                WHERE (e.transaction_id, e.global_position) > (\(position.transactionID), \(position.globalPosition))
                                  AND e.transaction_id < snap.xmin
                                  AND (\(untilXID)::xid8 IS NULL
                                       OR (e.transaction_id, e.global_position) <= (\(untilXID)::xid8, \(until?.globalPosition)))
                                  AND (\(typeList)::text[] IS NULL OR e.event_type = ANY(\(typeList)::text[]))
                                  AND (\(run)::uuid IS NULL OR coalesce(
                                      (SELECT ps.partition FROM projector.partition_streams ps
                                       WHERE ps.stream_id = e.stream_id AND ps.run = \(run)::uuid),
                                      projector.partition_of(projector.patient_key(e.stream_id, e.data), \(partition?.count)::integer)
                                  ) = \(partition?.index))
                                ORDER BY e.transaction_id, e.global_position
                                LIMIT \(limit)
                            ) c
                            WINDOW w AS (ORDER BY c.transaction_id, c.global_position ROWS UNBOUNDED PRECEDING)
                        ) s
                        WHERE s.weight_before = 0 OR s.weight_before + s.weight <= \(budget)
                    ) t
                    WINDOW w AS (ORDER BY t.transaction_id, t.global_position ROWS UNBOUNDED PRECEDING)
                ) b
                WHERE b.before = 0 OR b.before + b.text_bytes <= \(budget)
                ORDER BY b.transaction_id, b.global_position
            ) page ON true
            """
        )
        var events: [RecordedEvent] = []
        events.reserveCapacity(result.rows.count)
        for row in result.rows where row[3] != nil {
            events.append(try LogReader.recordedEvent(from: row, at: 3))
        }
        // Full: the count reached, or the bytes. Left out is a suffix of the count-limited rows, whichever
        // cut it, so the last row returned has a next one among those rows exactly when something was.
        var leftOut = false
        if let last = result.rows.last { leftOut = try last.decode(Bool?.self, at: 12) ?? false }
        if events.count >= limit || leftOut, let last = events.last {
            return LogPage(events: events, end: last.position, isFull: true, isHeldBack: false)
        }
        // Every transaction below xmin has finished and every matching event of theirs is in this
        // page, so the next read may start just below xmin, past the events of other types.
        let first = result.rows[0]
        let heldBack = try first.decode(Bool.self, at: 2)
        let xmin = try first.decode(UInt64.self, at: 0)
        let maxPosition = try first.decode(Int64?.self, at: 1) ?? 0
        let watermark = LogPosition(transactionID: xmin - 1, globalPosition: maxPosition)
        let end = max(position, events.last?.position ?? position, watermark)
        if let until, end >= until {
            return LogPage(events: events, end: max(position, until), isFull: false, isHeldBack: false)
        }
        return LogPage(events: events, end: end, isFull: false, isHeldBack: heldBack)
    }

    /// The events at `positions` (global positions), in log order; for a writer that read them before and
    /// did not keep them. Call inside a transaction the caller holds.
    public static func events(
        at positions: [Int64],
        on conn: isolated Connection
    ) throws(PostgresError)
        -> [RecordedEvent]
    {
        var events: [RecordedEvent] = []
        for row in try conn.query(
            """
            SELECT transaction_id::text, global_position, stream_id, stream_position, event_id::text, event_type,
                   data::text, metadata::text, recorded_at::text
            FROM eventlog.events WHERE global_position = ANY(\(positions))
            ORDER BY transaction_id, global_position
            """
        ).rows {
            events.append(try recordedEvent(from: row))
        }
        if let last = events.last { try attachMerges(to: &events, upTo: last.position, on: conn) }
        return events
    }

    /// The event in `row`'s columns from `first` on, in the order `read` selects them: transaction_id::text,
    /// global_position, stream_id, stream_position, event_id::text, event_type, data::text,
    /// metadata::text, recorded_at::text.
    public static func recordedEvent(from row: Row, at first: Int = 0) throws(PostgresError) -> RecordedEvent {
        RecordedEvent(
            position: try row.logPosition(at: first),
            streamID: try row.decode(String.self, at: first + 2),
            streamPosition: try row.decode(Int64.self, at: first + 3),
            eventID: try row.decode(String.self, at: first + 4),
            eventType: try row.decode(String.self, at: first + 5),
            data: Array(try row.decode(String.self, at: first + 6).utf8),
            metadata: Array(try row.decode(String.self, at: first + 7).utf8),
            recordedAt: try row.decode(String.self, at: first + 8)
        )
    }
}
