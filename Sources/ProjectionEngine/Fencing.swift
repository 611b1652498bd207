import Foundation
import Postgres

/// Ends the sessions of an instance whose lease lapsed, so that its frozen transactions stop holding the
/// locks its successor needs (the architecture article, "Leases and fencing").
///
/// The owner token already stops an old holder from committing; what it cannot do is release the old
/// holder's locks. The server ends a frozen writer's transaction only while its session is idle in a
/// transaction: a process frozen while sending a statement leaves its session active, reading from the
/// client, holding its row locks until the process wakes. Every session a runner opens registers in
/// `projector.sessions` under its holder id; a runner that takes a lapsed lease over ends the old holder's
/// registered sessions with `pg_terminate_backend`. The old holder, should it wake, finds its sessions
/// gone, connects again and stands by.
enum Fencing {
    /// The statements that register the session they run on as `holder`'s, for a session's settings
    /// script. They also remove the rows of sessions that ended, skipping any another session is removing.
    static func registration(of holder: UUID) -> String {
        // A UUID's text is hex digits and dashes: safe to put in the script as it is.
        let holder = holder.uuidString.lowercased()
        return """
            DELETE FROM projector.sessions WHERE backend_pid IN (
                SELECT s.backend_pid FROM projector.sessions s
                WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                                  WHERE a.pid = s.backend_pid AND a.backend_start = s.backend_start)
                ORDER BY s.backend_pid FOR UPDATE SKIP LOCKED);
            INSERT INTO projector.sessions (backend_pid, backend_start, holder)
            SELECT pid, backend_start, '\(holder)' FROM pg_stat_activity WHERE pid = pg_backend_pid()
            ON CONFLICT (backend_pid) DO UPDATE
            SET backend_start = excluded.backend_start, holder = excluded.holder
            """
    }

    /// Ends every live session registered by `holders`; returns how many it ended.
    ///
    /// Another role's sessions are found only with `pg_read_all_stats` (their `backend_start` is hidden
    /// otherwise) and ended only with `pg_signal_backend`: run every instance as one role, or grant both.
    ///
    /// - Throws: `PostgresError` when the server refuses to end one.
    static func endSessions(of holders: Set<UUID>, on conn: isolated Connection) throws -> Int {
        guard !holders.isEmpty else { return 0 }
        let ids = holders.map { $0.uuidString.lowercased() }.sorted()
        let rows = try conn.query(
            """
            SELECT count(*) FILTER (WHERE pg_terminate_backend(a.pid))
            FROM projector.sessions s
            JOIN pg_stat_activity a ON a.pid = s.backend_pid AND a.backend_start = s.backend_start
            WHERE s.holder = ANY(\(ids)::uuid[]) AND a.pid <> pg_backend_pid()
            """
        ).rows
        return try rows.first.map { try $0.decode(Int.self, at: 0) } ?? 0
    }
}
