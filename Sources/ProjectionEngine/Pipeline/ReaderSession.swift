import Postgres

/// The channels a runner listens on: the log's appends, and ops' commands (pause, resume, reset, swap).
enum Channels {
    /// NOTIFYed by every append (migration 0001).
    static let appended = "eventlog_appended"
    /// NOTIFYed with a projection's name when ops change its checkpoint row or swap its generation.
    static let control = "projector_control"
}

/// A session that only reads the log, for the pipeline.
enum ReaderSession {
    /// The page read's plan. This session only runs the page read, whose right plan is always the ordered
    /// range scan of `events_read_order` that stops at the page size. Without statistics (a log loaded
    /// moments ago) the planner picked a bitmap scan and a sort of every remaining event, for every page.
    ///
    /// No JIT: the planner cannot see that the scan stops at the page size, and a partition's filter (a
    /// shared rebuild's) made it estimate the whole log; every page then paid about 100 ms of compiling
    /// for a scan of 4 ms (measured on the 1M-event log, PostgreSQL 15).
    static let settings = "SET enable_seqscan = off; SET enable_bitmapscan = off; SET jit = off"

    /// Makes `conn` a reader's session; a live group's reader also LISTENs for appends and ops' commands.
    ///
    /// Only a session that drains its NOTIFYs may LISTEN: undrained, they pile up in the client.
    static func prepare(_ conn: Connection, listening: Bool) async throws {
        try await conn.executeScript(settings)
        if listening {
            try await conn.listen(Channels.appended)
            try await conn.listen(Channels.control)
        }
    }
}
